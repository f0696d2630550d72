/**
 * The recorded file format (JSON Lines, samples/README.md): one message a line, which `record`
 * writes and `replay` reads back.
 */
import { type Headers, type Message, messageFromBytes } from "../lib/message.ts";

/** Thrown by {@link fromRecordLine}; the reader adds the line number. */
export class RecordFormatError extends Error {
  override name = "RecordFormatError";
}

/**
 * Times a recording may hold: 0000-01-01 to 9999-12-31, what ISO 8601 writes with four-digit years.
 * A `Date` reaches further (±8.64e15 ms), but a time that close to its end leaves no room for the
 * windows computed from it (a 7-day window after 8.6399e15 would end outside the Date range).
 */
export const MIN_TIME = -62_167_219_200_000;
export const MAX_TIME = 253_402_300_799_999;

/** A replay's time range, in epoch milliseconds: from `since` (included) to `until` (excluded). */
export interface TimeRange {
  since: number;
  until: number;
}

/** Whether a time is in the range: the one rule for which recorded messages reach a replay's steps, and have their names read. */
export const inTimeRange = (time: number, range: TimeRange): boolean => time >= range.since && time < range.until;

/**
 * One line of the recorded file format, without the newline: `{"time":"<ISO>","subject":"...",
 * "data":"..."}`, `data_b64` for payloads that are not UTF-8, `headers` when there are any.
 */
export function toRecordLine(msg: Message): string {
  const rec: Record<string, unknown> = { time: new Date(msg.time).toISOString(), subject: msg.subject };
  if (msg.bytes) rec.data_b64 = Buffer.from(msg.bytes).toString("base64");
  else rec.data = msg.data;
  if (msg.headers) rec.headers = msg.headers;
  return JSON.stringify(rec);
}

/**
 * Date.parse for the times of a recording, read in order: `YYYY-MM-DDTHH:MM:SS.mmmZ` texts share
 * their first 10 characters for a whole day, so only that part goes to Date.parse, once a day, and
 * the time of day is read from its digits (Date.parse once a second, as before, was 4% of a reading
 * thread's time on the bench's 5 messages a second: perf). A time of day out of range, and any
 * other form, goes to Date.parse whole.
 */
export function recordedTimeParser(): (text: string) => number {
  let day = "\u0000"; // a prefix no time has: the first time sets it
  let base = NaN;
  return (text) => {
    if (text.length !== 24 || text.charCodeAt(4) !== 0x2d /* - */ || text.charCodeAt(7) !== 0x2d || text.charCodeAt(10) !== 0x54 /* T */ || text.charCodeAt(13) !== 0x3a /* : */ || text.charCodeAt(16) !== 0x3a || text.charCodeAt(19) !== 0x2e /* . */ || text.charCodeAt(23) !== 0x5a /* Z */) return Date.parse(text);
    const h = digits(text, 11, 2);
    const m = digits(text, 14, 2);
    const sec = digits(text, 17, 2);
    const ms = digits(text, 20, 3);
    // NaN (not digits) fails these too; 24:00:00.000, which Date.parse takes, goes to it
    if (!(h <= 23 && m <= 59 && sec <= 59 && ms >= 0)) return Date.parse(text);
    if (!text.startsWith(day)) {
      day = text.slice(0, 10);
      base = Date.parse(`${day}T00:00:00.000Z`);
    }
    return base + ((h * 60 + m) * 60 + sec) * 1000 + ms;
  };
}

/** The number written by text[from, from + n) in decimal digits, NaN if one is not a digit. */
function digits(text: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) return NaN;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Reads one recorded line; throws {@link RecordFormatError} saying what is wrong with it. A reader
 * of many lines passes a {@link recordedTimeParser}.
 */
export function fromRecordLine(line: string, parseTime: (text: string) => number = Date.parse): Message {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    throw new RecordFormatError("not a JSON object");
  }
  if (typeof rec !== "object" || rec === null || Array.isArray(rec)) throw new RecordFormatError("not a JSON object");
  const { time, subject, data, data_b64, headers } = rec as Record<string, unknown>;
  const ms = typeof time === "number" ? time : typeof time === "string" ? parseTime(time) : NaN;
  // NaN fails this too
  if (!(ms >= MIN_TIME && ms <= MAX_TIME)) throw new RecordFormatError(`"time" must be an ISO 8601 text or epoch milliseconds of the years 0000 to 9999, got ${describe(time)}`);
  if (typeof subject !== "string" || subject === "") throw new RecordFormatError('"subject" must be a non-empty string');
  let msg: Message;
  if (typeof data === "string") msg = { time: ms, subject, data };
  else if (typeof data_b64 === "string") msg = messageFromBytes(ms, subject, Buffer.from(data_b64, "base64"));
  else throw new RecordFormatError('one of "data" (text) or "data_b64" (base64) is required');
  if (headers !== undefined) msg.headers = checkHeaders(headers);
  return msg;
}

/** A bad value for an error message: short, and never JSON.stringify of a (possibly very deep) structure. */
function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? v.slice(0, 59) + "…" : v);
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  return typeof v === "object" ? "an object" : String(v);
}

function checkHeaders(headers: unknown): Headers {
  const bad = () => new RecordFormatError('"headers" must be an object of string arrays');
  if (typeof headers !== "object" || headers === null || Array.isArray(headers)) throw bad();
  const out: Headers = Object.create(null);
  for (const [k, v] of Object.entries(headers)) {
    if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) throw bad();
    out[k] = v;
  }
  return out;
}

/** A line of a chunk that is not a recorded message, and where it is. */
export interface LineProblem {
  /** Its index among the chunk's lines. */
  line: number;
  reason: string;
  /** Recorded messages and non-empty lines before it in the chunk: a reader gives up on a file that has only problems. */
  records: number;
  nonEmpty: number;
  /** Messages of the chunk (as a reader hands them on) before it: where it is reported, so reports come in file order. */
  at: number;
}

/** The recorded messages of a chunk of lines, what was wrong with the others, and how many lines it had. */
export interface RecordChunk {
  messages: Message[];
  problems: LineProblem[];
  lines: number;
  nonEmpty: number;
  /** Recorded messages read (a message read ahead may stand for several: a Tally, lib/message.ts). */
  records: number;
}

/**
 * Reads a chunk of recorded lines, given in batches (formats/lines.ts bytesLineBatches), handing each
 * recorded message to `each` in order (a reader that keeps only what it needs of each holds little at
 * a time); a reader of many chunks passes one {@link recordedTimeParser}. A reader that hands on other
 * than one message per record says, at each problem, how many it has handed on so far (`problem`).
 */
export function readRecordLines(batches: Iterable<readonly string[]>, parseTime: (text: string) => number, each: (msg: Message) => void, problem?: () => number): Omit<RecordChunk, "messages"> {
  const problems: LineProblem[] = [];
  let records = 0;
  let nonEmpty = 0;
  let lines = 0; // of the batches before this one
  for (const batch of batches) {
    for (let i = 0; i < batch.length; i++) {
      const line = batch[i];
      // a recorded line starts with "{": only another one can be blank
      if (line.charCodeAt(0) !== 0x7b && line.trim() === "") continue;
      let msg: Message;
      try {
        msg = fromRecordLine(line, parseTime);
      } catch (err) {
        problems.push({ line: lines + i, reason: (err as Error).message, records, nonEmpty, at: problem ? problem() : records });
        nonEmpty++;
        continue;
      }
      records++;
      nonEmpty++;
      each(msg);
    }
    lines += batch.length;
  }
  return { problems, lines, nonEmpty, records };
}
