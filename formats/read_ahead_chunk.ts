/**
 * A chunk of recorded lines read on a worker thread and handed back compactly (the pool is
 * pipelines/sources/read_ahead.ts). The worker does what costs: decoding the bytes, reading each line
 * ({@link readRecordLines}) and its payload. What it sends back is small and cheap to copy between
 * threads: times, subjects and only the attributes the run reads, as indexes into one table of
 * strings; a payload that does not parse comes back whole, with why. {@link unpackChunk} makes the
 * messages again, each with what parse will find in it (`decoded`), so the run's output is the same
 * as when the thread reads everything itself.
 */
import { type Attrs, type Message, newAttrs, READ } from "../lib/message.ts";
import { splitLines } from "./lines.ts";
import { type DecodeOptions, PayloadError, payloadDecoder } from "./payload.ts";
import { type LineProblem, type RecordChunk, readRecordLines, recordedTimeParser } from "./record_line.ts";

export interface ChunkReaderOptions {
  /** How the run's parse step reads payloads. */
  parse: DecodeOptions;
  /** The attributes the run reads: only these come back. */
  keep: readonly string[];
  /** Parse collects the attribute names of this many first messages in range (see Decoded in lib/message.ts). */
  sampleKeys: number;
  /** The replay's time range: only messages in it reach parse, so only they are sampled. */
  since: number;
  until: number;
}

export interface PackedChunk {
  lines: number;
  nonEmpty: number;
  problems: LineProblem[];
  times: Float64Array;
  /** Per message, its subject's index in `strings`. */
  subjects: Uint32Array;
  /** Per message, per kept attribute: 0 when the message has none, else its value's index in `strings` + 1. */
  values: Uint32Array;
  strings: string[];
  failed: { at: number; message: Message; reason: string }[];
  /** Messages that are the first of the chunk to have some attribute names, with those names. */
  keys: { at: number; keys: string[] }[];
}

/** The buffers of a packed chunk, handed over to the other thread rather than copied. */
export const transferables = (p: PackedChunk): ArrayBuffer[] => [p.times.buffer as ArrayBuffer, p.subjects.buffer as ArrayBuffer, p.values.buffer as ArrayBuffer];

/** Reads chunk after chunk of one file (the time parser and the payload decoder's key cache carry over); undefined is a chunk of no lines. */
export function chunkReader(opts: ChunkReaderOptions): (bytes: Uint8Array | undefined) => PackedChunk {
  const parseTime = recordedTimeParser();
  const decoder = payloadDecoder(opts.parse);
  const { keep } = opts;
  const only = new Set(keep);
  return (bytes) => {
    const text = bytes && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    const { messages, problems, lines, nonEmpty } = readRecordLines(text === undefined ? [] : splitLines(text), parseTime);
    const n = messages.length;
    const times = new Float64Array(n);
    const subjects = new Uint32Array(n);
    const values = new Uint32Array(n * keep.length);
    const strings: string[] = [];
    const index = new Map<string, number>();
    const intern = (s: string) => {
      let i = index.get(s);
      if (i === undefined) index.set(s, (i = strings.push(s) - 1));
      return i;
    };
    const failed: PackedChunk["failed"] = [];
    const keys: PackedChunk["keys"] = [];
    const seen = new Set<string>();
    let sampled = 0;
    for (let i = 0; i < n; i++) {
      const msg = messages[i];
      times[i] = msg.time;
      subjects[i] = intern(msg.subject);
      // the first messages in range are read whole: parse collects their names
      const sample = sampled < opts.sampleKeys && msg.time >= opts.since && msg.time < opts.until;
      let attrs: Attrs;
      try {
        attrs = decoder.decode(msg.data, sample ? undefined : only);
      } catch (err) {
        if (!(err instanceof PayloadError)) throw err;
        failed.push({ at: i, message: msg, reason: err.message });
        continue;
      }
      for (let k = 0; k < keep.length; k++) {
        const v = attrs[keep[k]];
        if (v !== undefined) values[i * keep.length + k] = intern(String(v)) + 1;
      }
      if (sample) {
        sampled++;
        const fresh: string[] = [];
        for (const key in attrs) if (!seen.has(key)) fresh.push(key), seen.add(key);
        if (fresh.length > 0) keys.push({ at: i, keys: fresh });
      }
    }
    return { lines, nonEmpty, problems, times, subjects, values, strings, failed, keys };
  };
}

/** The messages of a packed chunk, each with what parse will find in it. */
export function unpackChunk(p: PackedChunk, keep: readonly string[]): RecordChunk {
  const n = p.times.length;
  const k = keep.length;
  const messages: Message[] = new Array(n);
  let f = 0;
  for (let i = 0; i < n; i++) {
    if (f < p.failed.length && p.failed[f].at === i) {
      const { message, reason } = p.failed[f++];
      message.decoded = { error: reason };
      messages[i] = message;
      continue;
    }
    const attrs = newAttrs();
    for (let j = 0; j < k; j++) {
      const v = p.values[i * k + j];
      if (v !== 0) attrs[keep[j]] = p.strings[v - 1];
    }
    messages[i] = { time: p.times[i], subject: p.strings[p.subjects[i]], data: "", attrs, decoded: READ };
  }
  for (const { at, keys } of p.keys) messages[at].decoded = { keys };
  return { messages, problems: p.problems, lines: p.lines, nonEmpty: p.nonEmpty };
}
