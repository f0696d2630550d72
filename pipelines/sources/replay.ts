import { accessSync, closeSync, constants, fstatSync, openSync, readSync, statSync } from "node:fs";
import { Observable } from "rxjs";
import * as z from "zod";
import { describeContent, readOnce } from "../../formats/recording.ts";
import { fromRecordLine, inTimeRange, type TimeRange } from "../../formats/record_line.ts";
import { parseDuration } from "../../lib/duration.ts";
import type { Message } from "../../lib/message.ts";
import { type ReadAheadRequest, recordChunks } from "./read_ahead.ts";
import { type SourceContext, SourceError, sourceKind } from "./source.ts";

/** Non-empty lines read without one recorded message among them: the file is not a recording. */
const GIVE_UP_AFTER = 1000;

const paths = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .describe("recorded file(s): JSON Lines, gzip-compressed or not; - for standard input; several are merged by time")
  .meta({ examples: ["samples/exitcodes-20k.jsonl"] });

/** A time: ISO 8601, or `-DURATION` before the end of the recordings (the latest time they hold). */
const when = z
  .string()
  .refine((t) => RELATIVE.test(t) || !Number.isNaN(Date.parse(t)), "expected an ISO 8601 time (2026-11-21T14:00Z) or a duration before the recording's end (-2h)");

const RELATIVE = /^-\s*(\d+(?:\.\d+)?\s*(?:ms|s|m|h|d)?)$/;

export const replayConfig = z.strictObject({
  path: paths,
  speed: z.number().min(0).default(0).describe("0: as fast as possible; 1: the recorded pace; N: N times faster").meta({ examples: [10] }),
  since: when.optional().describe("leave out messages before this time: ISO 8601, or -DURATION before the recording's end").meta({ examples: ["2026-11-21T14:00Z"] }),
  until: when.optional().describe("leave out messages from this time on; a time-ordered file is read no further").meta({ examples: ["-10m"] }),
  threads: z
    .union([z.literal("auto"), z.number().int().min(0).max(64)])
    .default("auto")
    .describe("worker threads reading a file's lines and payloads ahead when a select or stats follows (the output is the same); auto: one per core, for files from 8 MB; 0: none")
    .meta({ examples: [2] }),
});
export type ReplayConfig = z.infer<typeof replayConfig>;

interface Cursor {
  batches: AsyncGenerator<Message[]>;
  batch: Message[];
  i: number;
  /** Stdin or a pipe: read once (formats/recording.ts readOnce). */
  once: boolean;
}

/**
 * Emits the messages of recorded files with their recorded times: one file in file order, several
 * merged by time (a stable merge: equal times keep the order of the files given). Completes at the
 * end or when `ctx.signal` aborts. A malformed line is reported with its file and line number and
 * skipped; a file none of whose lines is a recorded message is an error that says what it looks like.
 * A stop ends the reading of stdin or a pipe where it is (formats/recording.ts); what was read of
 * it cannot be read again, so it is still handed on (in a merge, with the files' messages of the
 * same times); a replay of files only stops at once.
 */
export function replaySource(config: ReplayConfig, ctx: SourceContext): Observable<Message> {
  for (const path of config.path) checkReadable(path);
  const once = config.path.map(readOnce);
  return new Observable<Message>((subscriber) => {
    /** Whether to hand on no more: `reading` says whether an input that cannot be read again still holds lines read before a stop (asked only after one). */
    const stopped = (reading: () => boolean) => subscriber.closed || (ctx.signal.aborted && !reading());
    const pace = config.speed > 0 ? pacer(config.speed, ctx) : undefined;
    let files: AsyncGenerator<Message[]>[] = [];
    (async () => {
      const range = await timeRange(config, ctx);
      const positions = config.path.map(() => ({ bytes: 0 }));
      reportProgress(config, range, positions, ctx);
      // a run counted ahead goes on as one message: not where each message's time is looked at (a merge by time, a range, pacing)
      const tally = config.path.length === 1 && range.since === -Infinity && range.until === Infinity && !pace;
      files = config.path.map((path, i) => inRange(fileMessages(path, ctx, positions[i], { threads: config.threads, tally, ...range }), range, ctx));
      if (files.length === 1) {
        const readingOne = () => once[0];
        for await (const batch of files[0]) {
          await ctx.waitForSinks();
          for (const msg of batch) {
            if (stopped(readingOne)) return;
            if (pace) await pace(msg.time);
            if (stopped(readingOne)) return;
            subscriber.next(msg);
          }
        }
        return;
      }
      const cursors: Cursor[] = [];
      for (const [i, batches] of files.entries()) {
        const c: Cursor = { batches, batch: [], i: 0, once: once[i] };
        if (await refill(c)) cursors.push(c);
      }
      // after a stop the merge goes on, reading the files as far as the time order needs, while a
      // stream it cut still holds lines read before the stop
      const reading = () => cursors.some((c) => c.once);
      while (cursors.length > 0) {
        let k = 0;
        for (let j = 1; j < cursors.length; j++) if (cursors[j].batch[cursors[j].i].time < cursors[k].batch[cursors[k].i].time) k = j;
        const c = cursors[k];
        const msg = c.batch[c.i++];
        if (stopped(reading)) return;
        if (pace) await pace(msg.time);
        if (stopped(reading)) return;
        subscriber.next(msg);
        if (c.i === c.batch.length) {
          await ctx.waitForSinks();
          if (!(await refill(c))) cursors.splice(k, 1);
        }
      }
    })().then(
      () => subscriber.complete(),
      (err) => subscriber.error(err instanceof SourceError ? err : new SourceError(`reading ${config.path.join(", ")} failed: ${err.message}`, { cause: err })),
    );
    return () => {
      for (const f of files) void f.return(undefined);
    };
  });
}

/** The time range a config asks for, relative times resolved against the recordings' end. */
async function timeRange(config: ReplayConfig, ctx: SourceContext): Promise<TimeRange> {
  let end: number | undefined;
  const at = async (text: string | undefined, open: number): Promise<number> => {
    if (text === undefined) return open;
    const rel = RELATIVE.exec(text);
    if (!rel) return Date.parse(text);
    const once = config.path.find(readOnce);
    if (once !== undefined) throw new SourceError(`a time before the recording's end (${text}) needs files, not ${once === "-" ? "standard input" : `a pipe (${once})`}: it would have to be read twice`);
    end ??= Math.max(...(await Promise.all(config.path.map((p) => lastTime(p, ctx)))));
    return end - (parseDuration(rel[1]) ?? 0);
  };
  return { since: await at(config.since, -Infinity), until: await at(config.until, Infinity) };
}

/**
 * The latest time of a recording: found in its last lines for a plain file (read backwards a chunk at
 * a time), by reading it through for a compressed one.
 */
async function lastTime(path: string, ctx: SourceContext): Promise<number> {
  const tail = tailTime(path);
  if (tail !== undefined) return tail;
  let last = -Infinity;
  const all = { threads: 0, tally: false, since: -Infinity, until: Infinity };
  for await (const batch of fileMessages(path, { ...ctx, skipped: () => undefined }, undefined, all)) for (const m of batch) last = Math.max(last, m.time);
  return last;
}

/** The time of the last record of a plain (not compressed) file, from its end; undefined for a compressed one or a pipe. */
function tailTime(path: string): number | undefined {
  if (readOnce(path)) return undefined;
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(2);
    readSync(fd, head, 0, 2, 0);
    if (head[0] === 0x1f && head[1] === 0x8b) return undefined;
    const size = fstatSync(fd).size;
    for (let end = size, chunk = 64 * 1024; end > 0; chunk *= 2) {
      const start = Math.max(0, end - chunk);
      const buf = Buffer.alloc(size - start);
      readSync(fd, buf, 0, buf.length, start);
      const lines = buf.toString("utf8").split("\n").reverse();
      for (const line of start > 0 ? lines.slice(0, -1) : lines) {
        try {
          return fromRecordLine(line).time;
        } catch {
          // not a record: the one before it may be
        }
      }
      end = start;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Where a replay is, for a progress display: bytes read of all the files, and the recorded time the
 * replay ends at when it is known cheaply (plain files: from their last lines; --until).
 */
function reportProgress(config: ReplayConfig, range: TimeRange, positions: { bytes: number }[], ctx: SourceContext): void {
  if (!ctx.progress) return;
  const files = config.path.filter((p) => !readOnce(p)); // a pipe's size and end are not known ahead
  const ends = files.map(tailTime);
  const recordedEnd = range.until !== Infinity ? range.until : files.length === config.path.length && ends.every((e) => e !== undefined) ? Math.max(...(ends as number[])) : undefined;
  ctx.progress({
    bytes: () => positions.reduce((sum, p) => sum + p.bytes, 0),
    ...(files.length === config.path.length ? { totalBytes: files.reduce((sum, p) => sum + statSync(p).size, 0) } : {}),
    ...(recordedEnd !== undefined && recordedEnd > -Infinity ? { end: recordedEnd } : {}),
  });
}

/**
 * The messages of a file within the range; the others are counted as outside it. Once a message is
 * past `until` in a file whose times have not gone back so far, the rest of it is not read.
 */
async function* inRange(batches: AsyncGenerator<Message[]>, range: TimeRange, ctx: SourceContext): AsyncGenerator<Message[]> {
  if (range.since === -Infinity && range.until === Infinity) return yield* batches;
  let ordered = true;
  let previous = -Infinity;
  for await (const batch of batches) {
    const kept: Message[] = [];
    for (const msg of batch) {
      if (msg.time < previous) ordered = false;
      previous = msg.time;
      if (inTimeRange(msg.time, range)) kept.push(msg);
      else {
        ctx.count("outside_range");
        if (msg.time >= range.until && ordered) {
          yield kept;
          return;
        }
      }
    }
    yield kept;
  }
}

/** The next non-empty batch of a cursor; false at its end. */
async function refill(c: Cursor): Promise<boolean> {
  for (;;) {
    const r = await c.batches.next();
    if (r.done) return false;
    if (r.value.length > 0) {
      c.batch = r.value;
      c.i = 0;
      return true;
    }
  }
}

/**
 * The messages of one file in batches (read ahead on threads when the run asks for it and `threads`
 * allows); bad lines reported and skipped, each once the messages before it are handed on, so
 * reports come in the same order however the file is cut into chunks.
 */
async function* fileMessages(path: string, ctx: SourceContext, position: { bytes: number } = { bytes: 0 }, read: Reading): AsyncGenerator<Message[]> {
  let lineNo = 0;
  let lines = 0;
  let good = 0;
  const notARecording = () => new SourceError(`${path} is not a recording: ${describeContent(path)}`);
  for await (const chunk of recordChunks(path, () => ctx.stdin, position, { ...read, stop: ctx.signal, ...(ctx.readAhead ? { ahead: readAhead(ctx.readAhead, read) } : {}) })) {
    let from = 0;
    for (const p of chunk.problems) {
      if (p.at > from) yield chunk.messages.slice(from, (from = p.at));
      if (good + p.records === 0 && lines + p.nonEmpty + 1 >= GIVE_UP_AFTER) throw notARecording();
      ctx.skipped(`${path}:${lineNo + p.line + 1}`, p.reason);
    }
    lineNo += chunk.lines;
    lines += chunk.nonEmpty;
    good += chunk.records;
    if (from < chunk.messages.length) yield from === 0 ? chunk.messages : chunk.messages.slice(from);
  }
  if (good === 0 && lines > 0) throw notARecording();
}

/** How a file is read: `threads` of the config; `tally`: whether runs of messages may be counted ahead. */
interface Reading extends TimeRange {
  threads: number | "auto";
  tally: boolean;
}

/** What the run asks to read ahead, without tallies when this reading cannot take them. */
function readAhead(request: ReadAheadRequest, read: Reading): ReadAheadRequest {
  return read.tally || !request.tally ? request : { parse: request.parse, keep: request.keep };
}

/** A file that cannot be read fails before anything runs, with the reason. */
function checkReadable(path: string): void {
  if (path === "-") return;
  try {
    accessSync(path, constants.R_OK);
    if (statSync(path).isDirectory()) throw Object.assign(new Error("it is a directory"), { code: "EISDIR" });
  } catch (err) {
    throw new SourceError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code === "EISDIR" ? "it is a directory" : (err as Error).message}`, { cause: err });
  }
}

/** Waits until a recorded time is due at `speed` times the recorded pace (the first message at once). */
function pacer(speed: number, ctx: SourceContext): (time: number) => Promise<void> {
  let first: number | undefined;
  let startedAt = 0;
  return (time) => {
    if (first === undefined) {
      first = time;
      startedAt = ctx.scheduler.now();
    }
    const delay = startedAt + (time - first) / speed - ctx.scheduler.now();
    if (delay <= 0 || ctx.signal.aborted) return Promise.resolve(); // stopped: what is handed on still goes at once
    return new Promise((resolve) => {
      const timer = ctx.scheduler.schedule(done, delay);
      ctx.signal.addEventListener("abort", done, { once: true });
      function done() {
        timer?.unsubscribe();
        ctx.signal.removeEventListener("abort", done);
        resolve();
      }
    });
  };
}

export const kind = sourceKind({
  name: "replay",
  description: "messages of recorded files (JSON Lines, .gz too), with their recorded times; several merged by time",
  config: replayConfig,
  shorthand: "path",
  examples: ["replay:samples/exitcodes-20k.jsonl", "'replay: {path: samples/mixed-200.jsonl, speed: 100}'", "'replay: {path: [samples/mixed-200.jsonl, samples/edge-cases.jsonl]}'"],
  live: () => false,
  inputs: (c) => c.path.filter((p) => p !== "-"),
  create: replaySource,
});
