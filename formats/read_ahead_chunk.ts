/**
 * A chunk of recorded lines read on a worker thread and handed back compactly (the pool is
 * pipelines/sources/read_ahead.ts). The worker does what costs: decoding the bytes, reading each line
 * ({@link readRecordLines}) and its payload. What it sends back is small and cheap to copy between
 * threads: per message its time, subject and only the attributes the run reads, as indexes into one
 * table of strings; or, when the run's stats only count by attributes, not even messages but the
 * counts per group of each row of messages in one window (a Tally, lib/message.ts). A payload that
 * does not parse comes back whole, with why. {@link unpackChunk} makes the messages again, each with
 * what parse will find in it (`decoded`), so the run's output is the same as when one thread reads
 * everything.
 */
import { type Attrs, groupKey, type Message, newAttrs, READ, type Tally, windowStart } from "../lib/message.ts";
import { bytesLineBatches } from "./lines.ts";
import { type DecodeOptions, PayloadError, payloadDecoder } from "./payload.ts";
import { inTimeRange, type LineProblem, type RecordChunk, readRecordLines, recordedTimeParser, type TimeRange } from "./record_line.ts";

/** With the replay's time range: only messages in it reach parse, so only they are sampled. */
export interface ChunkReaderOptions extends TimeRange {
  /** How the run's parse step reads payloads. */
  parse: DecodeOptions;
  /** The attributes the run reads: only these come back. */
  keep: readonly string[];
  /** Set when stats that only count come right after parse (and every message reaches them): runs are counted here. */
  tally?: { by: readonly string[]; every: number | "all" };
}

/** Messages one by one: columns of the messages of the chunk. */
interface Columns {
  times: Float64Array;
  /** Per message, its subject's index in `strings`. */
  subjects: Uint32Array;
  /** Per message, per kept attribute: 0 when the message has none, else its value's index in `strings` + 1. */
  values: Uint32Array;
  strings: string[];
  /** Messages that are the first of the chunk to have some attribute names, with those names. */
  keys: { at: number; keys: string[] }[];
}

export interface PackedChunk {
  lines: number;
  nonEmpty: number;
  records: number;
  problems: LineProblem[];
  /** Messages (or tallies) in the chunk. */
  count: number;
  /** Messages in range read whole for their names: all of the chunk's, when fewer than it was asked for. */
  sampled: number;
  /** Payloads that did not parse, by position among the chunk's messages (or tallies). */
  failed: { at: number; message: Message; reason: string }[];
  columns?: Columns;
  /** Tallies, by position, with the latest time of each (the time its message has). */
  tallies?: { at: number; time: number; tally: Tally }[];
}

/** The buffers of a packed chunk, handed over to the other thread rather than copied. */
export const transferables = (p: PackedChunk): ArrayBuffer[] => (p.columns ? [p.columns.times.buffer, p.columns.subjects.buffer, p.columns.values.buffer] : []) as ArrayBuffer[];

/**
 * Reads chunk after chunk of one file (the time parser and the payload decoder's key cache carry
 * over); undefined is a chunk of no lines. The first `sampleKeys` messages in range are read whole,
 * so that parse can collect their names: only as many as parse still needs (KEYS_SAMPLE less those
 * read before), since reading a payload whole costs (measured: 1 µs of 4 per message when every
 * chunk read its first 1,000 whole).
 */
export function chunkReader(opts: ChunkReaderOptions): (bytes: Uint8Array | undefined, sampleKeys: number) => PackedChunk {
  const parseTime = recordedTimeParser();
  const decoder = payloadDecoder(opts.parse);
  const only = new Set(opts.keep);
  return (bytes, sampleKeys) => {
    const failed: PackedChunk["failed"] = [];
    const seen = new Set<string>();
    let sampled = 0;
    const decode: Decode = (msg, at, names, namesAt) => {
      // the first messages in range are read whole: parse collects their names
      const sample = sampled < sampleKeys && inTimeRange(msg.time, opts);
      let attrs: Attrs;
      try {
        attrs = decoder.decode(msg.data, sample ? undefined : only);
      } catch (err) {
        if (!(err instanceof PayloadError)) throw err;
        failed.push({ at, message: msg, reason: err.message });
        return undefined;
      }
      if (sample) {
        sampled++;
        const fresh: string[] = [];
        for (const key in attrs) if (!seen.has(key)) fresh.push(key), seen.add(key);
        if (fresh.length > 0) names.push({ at: namesAt, keys: fresh });
      }
      return attrs;
    };
    const packer = opts.tally ? tallies(opts.tally, decode) : columns(opts.keep, decode);
    const lines = bytes === undefined ? [] : bytesLineBatches(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const read = readRecordLines(lines, parseTime, packer.add, packer.problem);
    return { ...read, failed, sampled, ...packer.finish() };
  };
}

/**
 * What parse finds in a message at position `at` of the chunk, or undefined when it does not parse
 * (it is then in the chunk's `failed`); while sampling, the names new to the chunk go to `names`,
 * marked `namesAt`.
 */
type Decode = (msg: Message, at: number, names: { at: number; keys: readonly string[] }[], namesAt: number) => Attrs | undefined;

/** Packs a chunk's messages as they are read. */
interface Packer {
  add(msg: Message): void;
  /** A line that is not a record: how many messages are packed before it (a run is ended there). */
  problem?(): number;
  finish(): Pick<PackedChunk, "count" | "columns" | "tallies">;
}

/** Messages one by one. */
function columns(keep: readonly string[], decode: Decode): Packer {
  // the lines of a chunk are read batch by batch, not counted first: the columns grow as needed
  let times = new Float64Array(1024);
  let subjects = new Uint32Array(1024);
  let values = new Uint32Array(1024 * keep.length);
  const grow = () => {
    const more = <A extends Float64Array | Uint32Array>(a: A): A => {
      const b = new (a.constructor as new (n: number) => A)(a.length * 2);
      b.set(a);
      return b;
    };
    times = more(times);
    subjects = more(subjects);
    values = more(values);
  };
  const strings: string[] = [];
  const index = new Map<string, number>();
  const intern = (s: string) => {
    let i = index.get(s);
    if (i === undefined) index.set(s, (i = strings.push(s) - 1));
    return i;
  };
  const keys: Columns["keys"] = [];
  let n = 0;
  return {
    add(msg) {
      const i = n++;
      if (i === times.length) grow();
      times[i] = msg.time;
      subjects[i] = intern(msg.subject);
      const attrs = decode(msg, i, keys, i);
      if (!attrs) return;
      for (let k = 0; k < keep.length; k++) {
        const v = attrs[keep[k]];
        if (v !== undefined) values[i * keep.length + k] = intern(String(v)) + 1;
      }
    },
    finish: () => ({ count: n, columns: { times, subjects, values, strings, keys } }),
  };
}

/** Messages in a row of one window, being counted. */
interface Run {
  window: number;
  latest: number;
  first: number;
  n: number;
  groups: Map<string, number>;
  found: boolean[];
  keys: { at: number; keys: readonly string[] }[];
}

/** Messages as tallies: one per row of messages in one window, a payload that does not parse or a line that is not a record between them. */
function tallies(opts: NonNullable<ChunkReaderOptions["tally"]>, decode: Decode): Packer {
  const { by, every } = opts;
  const out: NonNullable<PackedChunk["tallies"]> = [];
  let count = 0;
  let run: Run | undefined;
  // the attributes of the message being added, for the by values: one function for all, not one per message
  let attrs: Attrs;
  const byValue = (i: number) => attrs[by[i]];
  const close = () => {
    if (!run) return;
    out.push({ at: count++, time: run.latest, tally: { n: run.n, first: run.first, groups: [...run.groups], found: run.found, keys: run.keys } });
    run = undefined;
  };
  return {
    add(msg) {
      const window = every === "all" ? 0 : windowStart(msg.time, every);
      if (run && run.window !== window) close();
      const open: Run = (run ??= { window, latest: msg.time, first: msg.time, n: 0, groups: new Map(), found: by.map(() => false), keys: [] });
      // a payload that does not parse ends the run (an empty one is dropped): it goes on alone, after it
      const decoded = decode(msg, open.n === 0 ? count : count + 1, open.keys, open.n);
      if (!decoded) {
        if (open.n === 0) run = undefined;
        else close();
        count++;
        return;
      }
      attrs = decoded;
      open.n++;
      if (msg.time < open.first) open.first = msg.time;
      if (msg.time > open.latest) open.latest = msg.time;
      const key = groupKey(by.length, byValue);
      open.groups.set(key, (open.groups.get(key) ?? 0) + 1);
      for (let i = 0; i < by.length; i++) open.found[i] ||= attrs[by[i]] !== undefined;
    },
    problem() {
      close();
      return count;
    },
    finish() {
      close();
      return { count, tallies: out };
    },
  };
}

/** The messages of a packed chunk, each with what parse will find in it. */
export function unpackChunk(p: PackedChunk, keep: readonly string[]): RecordChunk {
  const messages: Message[] = new Array(p.count);
  for (const { at, message, reason } of p.failed) {
    message.decoded = { error: reason };
    messages[at] = message;
  }
  if (p.tallies) {
    for (const { at, time, tally } of p.tallies) messages[at] = { time, subject: "", data: "", attrs: newAttrs(), decoded: READ, tally };
  } else if (p.columns) {
    const { times, subjects, values, strings } = p.columns;
    const k = keep.length;
    for (let i = 0; i < p.count; i++) {
      if (messages[i]) continue; // failed
      const attrs = newAttrs();
      for (let j = 0; j < k; j++) {
        const v = values[i * k + j];
        if (v !== 0) attrs[keep[j]] = strings[v - 1];
      }
      messages[i] = { time: times[i], subject: strings[subjects[i]], data: "", attrs, decoded: READ };
    }
    for (const { at, keys } of p.columns.keys) messages[at].decoded = { keys };
  }
  return { messages, problems: p.problems, lines: p.lines, nonEmpty: p.nonEmpty, records: p.records };
}
