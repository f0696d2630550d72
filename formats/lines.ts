import { readSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";

const NEWLINE = 0x0a;

/**
 * A stream's chunks until `stop` (a run's stop), which ends it where it is: the stream is destroyed,
 * so a stop never waits for a producer that writes nothing, and the premature close that follows is
 * the end, not an error.
 */
export async function* untilStopped<T>(input: Readable & AsyncIterable<T>, stop: AbortSignal | undefined): AsyncGenerator<T> {
  if (stop?.aborted) return;
  const end = () => input.destroy();
  stop?.addEventListener("abort", end, { once: true });
  try {
    yield* input;
  } catch (err) {
    if (!stop?.aborted) throw err;
  } finally {
    stop?.removeEventListener("abort", end);
  }
}

/**
 * How long whole lines wait for a chunk's `minBytes` to be read: then they are a chunk as they are.
 * A slow producer's lines (`tail -f rec.jsonl | replay - --threads 2`, or any follow past the
 * first 8 MB) would otherwise wait for 512 KB, minutes of the exit-code stream.
 */
export const HOLD_MS = 100;

/**
 * Yields a stream's bytes cut into chunks of whole lines: each ends where a line ends, without that
 * last line end; a last line without a newline is a chunk too, unless `stop` (the run's stop, which
 * ends the reading of a stream where it is: formats/recording.ts) cut it. Chunks of at least
 * `minBytes` (a line longer than that is one chunk), for a reader on another thread, to whom each
 * chunk is one message, unless no more comes for {@link HOLD_MS}; a function is asked at each read
 * (0: the lines of each read at once).
 */
export async function* lineChunks(input: AsyncIterable<Buffer | string>, minBytes: number | (() => number) = 0, stop?: AbortSignal): AsyncGenerator<Buffer> {
  let pending: Buffer[] = []; // kept in pieces: joining them once keeps a long line linear
  let size = 0;
  /** While `pending` holds a line end: when those whole lines stop waiting for more. */
  let held: Deadline | undefined;
  const reads = input[Symbol.asyncIterator]();
  /** A read asked for and not yet taken: only while whole lines went on for having waited. */
  let next: Promise<IteratorResult<Buffer | string>> | undefined;
  try {
    for (;;) {
      next ??= reads.next();
      const r = held ? await Promise.race([next, held.passed]) : await next;
      // what is cut: the bytes held (and read), up to their last line end
      let text: Buffer;
      let last: number;
      if (r === IDLE) {
        text = Buffer.concat(pending, size);
        last = text.lastIndexOf(NEWLINE);
      } else {
        next = undefined;
        if (r.done) break;
        const buf: Buffer = typeof r.value === "string" ? Buffer.from(r.value) : r.value;
        if (buf.length === 0) continue;
        pending.push(buf);
        size += buf.length;
        const at = buf.lastIndexOf(NEWLINE);
        if (at < 0 || size < (typeof minBytes === "number" ? minBytes : minBytes())) {
          if (at >= 0) held ??= deadline(HOLD_MS);
          continue;
        }
        text = pending.length === 1 ? buf : Buffer.concat(pending, size);
        last = size - buf.length + at;
      }
      pending = last + 1 < size ? [text.subarray(last + 1)] : [];
      size -= last + 1;
      held?.cancel();
      held = undefined;
      yield text.subarray(0, last);
    }
  } finally {
    held?.cancel();
    await letGo(reads, next);
  }
  if (pending.length === 0) return;
  const rest = Buffer.concat(pending);
  if (!stop?.aborted) yield rest[rest.length - 1] === NEWLINE ? rest.subarray(0, -1) : rest; // held whole lines, the last one's end left off
  else {
    const nl = rest.lastIndexOf(NEWLINE);
    if (nl > 0) yield rest.subarray(0, nl); // the lines before the one cut
  }
}

/**
 * Ends an iterator read by hand (a consumer that ended early: a replay's --until). With a read in
 * flight it is not waited for, since a producer may never write again, and what becomes of it is no
 * one's concern; without one the iterator is ended as `for await` would.
 */
export async function letGo<T>(it: Iterator<T> | AsyncIterator<T>, inFlight: Promise<unknown> | undefined): Promise<void> {
  if (!inFlight) {
    await it.return?.();
    return;
  }
  inFlight.catch(() => undefined);
  void Promise.resolve(it.return?.()).catch(() => undefined);
}

const IDLE = Symbol("idle");

/** A promise of {@link IDLE} in `ms`, which does not keep the process alive; one per chunk held, not per read (a timer per read cost 15%). */
interface Deadline {
  passed: Promise<typeof IDLE>;
  cancel(): void;
}

function deadline(ms: number): Deadline {
  let timer: NodeJS.Timeout | undefined;
  const passed = new Promise<typeof IDLE>((resolve) => (timer = setTimeout(resolve, ms, IDLE).unref()));
  return { passed, cancel: () => clearTimeout(timer) };
}

/**
 * Yields the lines of a stream in batches (one array per chunk read), without line ends (`\n` or
 * `\r\n`). Chunks are cut at their last newline byte and decoded in whole lines ({@link bytesLines}),
 * so a UTF-8 sequence is never split and the per-line cost is one `split`: this is what lets replay
 * run at several hundred thousand lines a second.
 */
export async function* lineBatches(input: AsyncIterable<Buffer | string>, stop?: AbortSignal): AsyncGenerator<string[]> {
  for await (const chunk of lineChunks(input, 0, stop)) yield bytesLines(chunk);
}

/** The lines of a text, without their line ends (`\n` or `\r\n`). */
export function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (text.includes("\r")) for (let i = 0; i < lines.length; i++) if (lines[i].endsWith("\r")) lines[i] = lines[i].slice(0, -1);
  return lines;
}

/**
 * Bytes of whole lines decoded into one text at most (a longer line is one text): V8 puts a string
 * of more than 128 KB (a two-byte one: 64K characters) among its large objects, which are promoted
 * at the first young-generation collection they live through and then freed only by a full one.
 */
const TEXT_BYTES = 32 * 1024;

/**
 * The text of a file, from where it is to its end, in chunks of whole lines cut as {@link lineChunks}
 * cuts them (of `textBytes` at most), read `readBytes` at a time into one buffer that every
 * read reuses. Nothing but the texts outlives a read, and they die young. A buffer per read (as a
 * read stream makes them) that lives through a young-generation collection, as it does while a
 * replay waits for a slow sink, is freed only by a full one: over 50 MB of them waited at times
 * (measured). The buffer grows only for a line longer than it.
 */
export async function* fileLineTexts(file: FileHandle, readBytes: number, position: { bytes: number }, textBytes = TEXT_BYTES): AsyncGenerator<string> {
  let buf = Buffer.allocUnsafeSlow(readBytes);
  let kept = 0; // bytes of an unfinished line at the buffer's start
  for (;;) {
    if (kept === buf.length) {
      const bigger = Buffer.allocUnsafeSlow(buf.length * 2);
      buf.copy(bigger, 0, 0, kept);
      buf = bigger;
    }
    const { bytesRead } = await file.read(buf, kept, buf.length - kept, null);
    if (bytesRead === 0) break;
    position.bytes += bytesRead;
    const data = buf.subarray(0, kept + bytesRead);
    let from = 0;
    for (let nl; (nl = nextCut(data, from, textBytes)) >= 0; from = nl + 1) yield data.toString("utf8", from, nl);
    kept = data.length - from;
    buf.copyWithin(0, from, data.length);
  }
  if (kept > 0) yield buf.toString("utf8", 0, kept);
}

/**
 * The lines of bytes, as {@link splitLines} gives them for their whole text, decoded in texts of at
 * most `textBytes` (see {@link TEXT_BYTES}): how every chunk of bytes read becomes lines.
 */
export function bytesLines(bytes: Buffer, textBytes = TEXT_BYTES): string[] {
  const lines: string[] = [];
  for (const batch of bytesLineBatches(bytes, textBytes)) for (const line of batch) lines.push(line);
  return lines;
}

/**
 * The lines of {@link bytesLines}, one batch per text, made as they are asked for: a reader that is
 * done with a batch before it asks for the next holds one text and its lines at a time, not a whole
 * chunk's (a young-generation collection copies what is alive: a reading thread's chunk of 512 KB
 * read this way took the 1M replay from 2.01 to 1.94 s, 15 runs alternated, medians).
 */
export function* bytesLineBatches(bytes: Buffer, textBytes = TEXT_BYTES): Generator<string[]> {
  let from = 0;
  for (let nl; bytes.length - from > textBytes && (nl = nextCut(bytes, from, textBytes)) >= 0; from = nl + 1) yield splitLines(bytes.toString("utf8", from, nl));
  yield splitLines(bytes.toString("utf8", from));
}

/**
 * Where the next text of whole lines from `from` ends: the last newline within `textBytes`, else
 * (a longer line) the first one after; -1 when there is no newline from `from` on.
 */
function nextCut(data: Buffer, from: number, textBytes: number): number {
  const limit = from + textBytes;
  const nl = limit >= data.length ? data.lastIndexOf(NEWLINE) : data.lastIndexOf(NEWLINE, limit - 1);
  if (nl >= from) return nl;
  return limit < data.length ? data.indexOf(NEWLINE, limit) : -1;
}

/**
 * How much a range reader reads at a time past its range's ends, looking for a line's end: a few
 * lines (a longer one takes more reads). 64 KB read 128 KB more for each 512 KB range.
 */
const SCAN_BYTES = 4 * 1024;

/**
 * The bytes of the lines of a file (`fd`, `size` bytes) that start in [start, end), as
 * {@link lineChunks} gives them: from the first such line to the end of the last, without that last
 * line end; undefined when no line starts there. Ranges that tile a file give its lines once each,
 * so threads can each read their own ranges.
 */
export function lineRange(fd: number, start: number, end: number, size: number): Buffer | undefined {
  end = Math.min(end, size);
  // a line starts at 0 and after each newline
  const from = start === 0 ? 0 : newlineAt(fd, start - 1, size) + 1;
  if (from === 0 && start > 0) return undefined; // no newline after start: the line began before it
  if (from >= end) return undefined;
  // the last line starting before `end` ends at the first newline from end - 1 on (or at the file's end)
  const nl = newlineAt(fd, end - 1, size);
  const to = nl < 0 ? size : nl;
  const buf = Buffer.allocUnsafe(to - from);
  for (let at = 0; at < buf.length; ) {
    const n = readSync(fd, buf, at, buf.length - at, from + at);
    if (n === 0) return buf.subarray(0, at); // the file was cut short meanwhile
    at += n;
  }
  return buf;
}

/** The position of the first newline of a file at or after `from`, or -1. */
function newlineAt(fd: number, from: number, size: number): number {
  const buf = Buffer.allocUnsafe(SCAN_BYTES);
  for (let at = from; at < size; ) {
    const n = readSync(fd, buf, 0, Math.min(SCAN_BYTES, size - at), at);
    if (n === 0) break;
    const i = buf.subarray(0, n).indexOf(NEWLINE);
    if (i >= 0) return at + i;
    at += n;
  }
  return -1;
}
