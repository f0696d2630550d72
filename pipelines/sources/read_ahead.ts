/**
 * Reading a recording ahead on worker threads. A replay spends most of its time on each line's JSON
 * and each payload (measured: 4.3 s of 7.7 for 1M messages), which one thread cannot do faster.
 * When a run only reads some attributes (a select or stats follows parse), worker threads read
 * whole chunks of lines, payloads included, and hand back those attributes
 * (formats/read_ahead_chunk.ts); this thread takes the chunks back in file order, so every later
 * step sees the same messages in the same order and the output is byte for byte the same as
 * without threads. The threads read a plain file themselves, each its own ranges of it; a
 * compressed file or stdin is read here and its bytes handed over.
 */
import type { Readable } from "node:stream";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { type ChunkReaderOptions, type PackedChunk, unpackChunk } from "../../formats/read_ahead_chunk.ts";
import { bytesLines, letGo, lineBatches, lineChunks } from "../../formats/lines.ts";
import type { DecodeOptions } from "../../formats/payload.ts";
import { inTimeRange, type RecordChunk, readRecordLines, recordedTimeParser, type TimeRange } from "../../formats/record_line.ts";
import { plainFileLines, plainFileSize, recordingBytes } from "../../formats/recording.ts";
import type { Message } from "../../lib/message.ts";
import { KEYS_SAMPLE } from "../../operators/parse.ts";
import { workerUrl } from "./read_ahead_worker_url.ts";

/**
 * What the run asks a source to read ahead: how its parse step reads payloads, and the attributes it
 * reads; with `tally`, runs of messages may be counted by these attributes' keys (formats/read_ahead_chunk.ts).
 */
export interface ReadAheadRequest {
  parse: DecodeOptions;
  keep: readonly string[];
  tally?: { by: readonly string[]; every: number | "all" };
}

/**
 * A chunk for a thread: bytes of whole lines, or the lines starting in a range of a file
 * (formats/lines.ts lineRange); and how many of its first messages in range to read whole for parse's
 * names (formats/read_ahead_chunk.ts chunkReader).
 */
export type Job = ({ bytes: Uint8Array } | { path: string; start: number; end: number; size: number }) & { sampleKeys: number };

/** A chunk read by a thread, and how many of its messages it read whole for their names. */
interface ThreadChunk {
  records: RecordChunk;
  sampled: number;
}

/** `auto`: one thread per core, up to this many. */
const MAX_AUTO_THREADS = 4;
/** With `auto`, a smaller file (or what is read of a stream before threads start) is read here: not worth their start-up. */
const AUTO_AFTER_BYTES = 8 * 1024 * 1024;
/** Bytes per chunk for a thread. */
const CHUNK_BYTES = 512 * 1024;

/** With the replay's time range. */
export interface ReadOptions extends TimeRange {
  /** Threads reading ahead: `auto`, or a number (0: none, this thread reads everything). */
  threads: number | "auto";
  /** Set when the run can take messages read ahead. */
  ahead?: ReadAheadRequest;
  /** The run's stop: it ends the reading of stdin or a pipe where it is (formats/recording.ts recordingBytes). */
  stop?: AbortSignal;
}

/**
 * The recorded messages of a file (`-`: stdin), chunk by chunk, in file order: read here or ahead on
 * threads (see the module comment). `position` follows the bytes read, for progress.
 */
export async function* recordChunks(path: string, stdin: () => Readable, position: { bytes: number }, opts: ReadOptions): AsyncGenerator<RecordChunk> {
  const parseTime = recordedTimeParser();
  const here = (lines: string[]): RecordChunk => {
    const messages: Message[] = [];
    return { messages, ...readRecordLines([lines], parseTime, (msg) => messages.push(msg)) };
  };
  const threads = opts.threads === "auto" ? Math.min(MAX_AUTO_THREADS, availableParallelism()) : opts.threads;
  const { ahead } = opts;
  const size = plainFileSize(path);
  const auto = opts.threads === "auto";
  if (!ahead || threads === 0 || (auto && size !== undefined && size < AUTO_AFTER_BYTES)) {
    for await (const lines of size !== undefined ? plainFileLines(path, position) : lineBatches(recordingBytes(path, stdin, position, opts.stop), opts.stop)) yield here(lines);
    return;
  }
  const options: ChunkReaderOptions = { parse: ahead.parse, keep: ahead.keep, since: opts.since, until: opts.until, ...(ahead.tally ? { tally: ahead.tally } : {}) };
  // messages in range read so far, at least: a chunk sent now reads whole only the first ones parse
  // may still need for names (chunks still out were asked for too many, never too few)
  let inRange = 0;
  const sampleKeys = () => Math.max(0, KEYS_SAMPLE - inRange);
  const taken = ({ records, sampled }: ThreadChunk) => {
    inRange += sampled;
    return records;
  };
  let pool: Pool | undefined;
  try {
    if (size !== undefined) {
      pool = startPool(threads, options);
      const ranges = function* () {
        for (let start = 0; start < size; start += CHUNK_BYTES) yield { path, start, end: start + CHUNK_BYTES, size, sampleKeys: sampleKeys() };
      };
      for await (const [chunk, job] of inOrder(pool, ranges())) {
        position.bytes = Math.min(job.end, size);
        yield taken(chunk);
      }
      return;
    }
    // a stream: read here until it is worth starting threads, the lines of each read at once (a slow
    // producer's, `tail -f rec.jsonl | replay -`, are not held for a chunk); then in chunks for them
    let read = 0;
    const readingHere = () => auto && read < AUTO_AFTER_BYTES;
    const chunks = lineChunks(recordingBytes(path, stdin, position, opts.stop), () => (readingHere() ? 0 : CHUNK_BYTES), opts.stop);
    for await (const chunk of chunks) {
      if (readingHere()) {
        read += chunk.length;
        const records = here(bytesLines(chunk));
        for (const m of records.messages) if (inTimeRange(m.time, opts)) inRange++;
        yield records;
        continue;
      }
      pool = startPool(threads, options);
      for await (const [records] of inOrder(pool, handedOver(prepend(chunk, chunks), sampleKeys))) yield taken(records);
      return;
    }
  } finally {
    pool?.close();
  }
}

/** Chunks as jobs for a thread, each in a buffer of its own, handed over whole (a chunk may share one with the next). */
async function* handedOver(chunks: AsyncIterable<Buffer>, sampleKeys: () => number): AsyncGenerator<Job> {
  for await (const chunk of chunks) yield { bytes: new Uint8Array(chunk), sampleKeys: sampleKeys() };
}

async function* prepend<T>(first: T, rest: AsyncIterable<T>): AsyncGenerator<T> {
  yield first;
  yield* rest;
}

/**
 * Each job's chunk, in the order of the jobs, with at most two jobs per thread in flight. The first
 * one goes on as soon as it is read, also while the next job is not there yet (a slow producer's).
 */
async function* inOrder<J extends Job>(pool: Pool, jobs: Iterable<J> | AsyncIterable<J>): AsyncGenerator<[ThreadChunk, J]> {
  const inFlight: Promise<[ThreadChunk, J]>[] = [];
  const it = Symbol.asyncIterator in jobs ? jobs[Symbol.asyncIterator]() : jobs[Symbol.iterator]();
  /** A job asked for and not yet there: only while the first in flight went on without it. */
  let asked: Promise<IteratorResult<J>> | undefined;
  let more = true;
  try {
    while (more || inFlight.length > 0) {
      if (more && inFlight.length < 2 * pool.size) {
        asked ??= Promise.resolve(it.next());
        const r = inFlight.length > 0 ? await Promise.race([asked, inFlight[0].then((): typeof READ => READ)]) : await asked;
        if (r !== READ) {
          asked = undefined;
          if (r.done) more = false;
          else {
            const job = r.value;
            const read = pool.read(job).then((chunk): [ThreadChunk, J] => [chunk, job]);
            read.catch(() => undefined); // awaited in turn below: not an unhandled rejection meanwhile
            inFlight.push(read);
          }
          continue;
        }
      }
      yield await inFlight.shift()!;
    }
  } finally {
    await letGo(it, asked);
  }
}

const READ: unique symbol = Symbol("read");

interface Pool {
  size: number;
  /** The chunk of a job, read by the thread with the fewest chunks still to read. */
  read(job: Job): Promise<ThreadChunk>;
  close(): void;
}

function startPool(size: number, options: ChunkReaderOptions): Pool {
  const threads = Array.from({ length: size }, () => {
    // a small young generation: each chunk's garbage dies at once, and the default (16 MB) was 30 MB more peak RSS (measured)
    const worker = new Worker(workerUrl, { workerData: options, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    const waiting: { resolve(c: ThreadChunk): void; reject(err: Error): void }[] = [];
    const fail = (err: Error) => {
      for (const w of waiting.splice(0)) w.reject(err);
    };
    worker.on("message", (packed: PackedChunk) => waiting.shift()!.resolve({ records: unpackChunk(packed, options.keep), sampled: packed.sampled }));
    worker.on("error", (err) => fail(new Error(`a reading thread failed: ${err.message}`, { cause: err })));
    worker.on("exit", (code) => fail(new Error(`a reading thread stopped (exit code ${code})`)));
    return { worker, waiting };
  });
  return {
    size,
    read(job) {
      // not in turn: a thread that fell behind (its core taken by the main thread or V8's compiler)
      // kept its share, and the other sat idle once it had read the chunks it was given (the 1M
      // replay bench alternated 11 times with taking turns, twice: 1.72 and 1.93 s against 1.83 and 2.09 s)
      const t = threads.reduce((a, b) => (b.waiting.length < a.waiting.length ? b : a));
      return new Promise((resolve, reject) => {
        t.waiting.push({ resolve, reject });
        t.worker.postMessage(job, "bytes" in job ? [job.bytes.buffer as ArrayBuffer] : []);
      });
    },
    close() {
      for (const t of threads) void t.worker.terminate();
    },
  };
}
