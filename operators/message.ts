/**
 * The message model shared by every source, operator and sink.
 *
 * A message is what one NATS delivery (or one recorded line) carries, plus the attributes `parse`
 * read from its payload. Stats rows are messages too (their attributes are the row's columns and
 * `window` says which window they count), so every operator and sink takes one shape.
 */

/** Attribute values are the payload's text; the `count` of a stats row is a number. */
export type AttrValue = string | number;

/**
 * Attributes by name. Always made with {@link newAttrs}: a null-prototype object, so keys such as
 * `__proto__` or `constructor` coming from a payload are plain keys and cannot pollute prototypes.
 */
export type Attrs = Record<string, AttrValue>;

export type Headers = Record<string, string[]>;

/** The window a stats row counts: epoch milliseconds, and the attributes it is grouped by. */
export interface StatsWindow {
  start: number;
  end: number;
  by: readonly string[];
}

export interface Message {
  /** Milliseconds since the epoch: the recorded time on replay, the arrival time live. */
  time: number;
  subject: string;
  /** The payload as text (UTF-8 decoded; invalid sequences replaced, see `bytes`). */
  data: string;
  /** The exact payload bytes, present only when they are not valid UTF-8. */
  bytes?: Uint8Array;
  headers?: Headers;
  /** Parsed attributes; undefined until `parse` has run. */
  attrs?: Attrs;
  /** Present on stats rows only. */
  window?: StatsWindow;
}

/**
 * Attribute maps inherit from an empty null-prototype object: no `__proto__` accessor, no
 * `constructor`, nothing to pollute. Made by a constructor rather than `Object.create(null)`,
 * because V8 keeps the latter in slow dictionary mode (measured: 40% slower payload decoding).
 */
function AttrsObject(): void {}
AttrsObject.prototype = Object.create(null);

export function newAttrs(): Attrs {
  return new (AttrsObject as unknown as new () => Attrs)();
}

/**
 * A copy of a message with other attributes. Written out field by field: an object spread here
 * cost as much as decoding the payload (measured), and a fixed shape keeps the operators monomorphic.
 */
export function withAttrs(msg: Message, attrs: Attrs): Message {
  const out: Message = { time: msg.time, subject: msg.subject, data: msg.data, attrs };
  if (msg.bytes) out.bytes = msg.bytes;
  if (msg.headers) out.headers = msg.headers;
  if (msg.window) out.window = msg.window;
  return out;
}

/** Thrown by {@link fromRecordLine}; the reader adds the line number. */
export class RecordFormatError extends Error {
  override name = "RecordFormatError";
}

/** The largest distance from the epoch a `Date` can hold, in milliseconds (ECMA-262 §21.4.1.1). */
const MAX_TIME = 8.64e15;

const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Lossy = new TextDecoder("utf-8");

/** Builds a message from payload bytes, keeping the bytes only when they are not valid UTF-8. */
export function messageFromBytes(time: number, subject: string, payload: Uint8Array, headers?: Headers): Message {
  const msg: Message = { time, subject, data: "" };
  try {
    msg.data = utf8.decode(payload);
  } catch {
    msg.data = utf8Lossy.decode(payload);
    msg.bytes = payload;
  }
  if (headers) msg.headers = headers;
  return msg;
}

/** The payload as bytes, exactly as received. */
export function payloadBytes(msg: Message): Uint8Array {
  return msg.bytes ?? Buffer.from(msg.data, "utf8");
}

/**
 * One line of the recorded file format (JSON Lines, see samples/README.md), without the newline:
 * `{"time":"<ISO>","subject":"...","data":"..."}`, `data_b64` for payloads that are not UTF-8,
 * `headers` when there are any.
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
 * their first 19 characters for a whole second, so that part is parsed once a second (replay
 * measured 4% faster). Other forms go to Date.parse.
 */
export function recordedTimeParser(): (text: string) => number {
  let second = "\u0000"; // a prefix no time has: the first time sets it
  let base = NaN;
  return (text) => {
    if (text.length !== 24 || text.charCodeAt(19) !== 0x2e /* . */ || text.charCodeAt(23) !== 0x5a /* Z */) return Date.parse(text);
    const d0 = text.charCodeAt(20) - 48;
    const d1 = text.charCodeAt(21) - 48;
    const d2 = text.charCodeAt(22) - 48;
    if (!(d0 >= 0 && d0 <= 9 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9)) return Date.parse(text);
    const ms = d0 * 100 + d1 * 10 + d2;
    if (!text.startsWith(second)) {
      second = text.slice(0, 19);
      base = Date.parse(text) - ms;
    }
    return base + ms;
  };
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
  // NaN fails this too; out-of-range times would make toRecordLine (toISOString) throw later
  if (!(Math.abs(ms) <= MAX_TIME)) throw new RecordFormatError(`"time" must be an ISO 8601 text or epoch milliseconds (at most ±8.64e15), got ${describe(time)}`);
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
