/**
 * The message model shared by every source, operator and sink.
 *
 * A message is what one NATS delivery (or one recorded line) carries, plus the attributes `parse`
 * read from its payload. A stats window row is a message too: `window` holds its window, the values
 * it is grouped by and its measures (typed, read by the sinks), and `attrs` the same row as flat
 * columns for tabular sinks and filters.
 */

/** Attribute values are the payload's text; the measures of a window row are numbers. */
export type AttrValue = string | number;

/**
 * Attributes by name. Always made with {@link newAttrs}: keys such as `__proto__` or `constructor`
 * coming from a payload are plain keys and cannot pollute prototypes.
 */
export type Attrs = Record<string, AttrValue>;

export type Headers = Record<string, string[]>;

/** One row of a closed stats window. */
export interface WindowRow {
  /** Epoch milliseconds; `end` is exclusive. */
  start: number;
  end: number;
  /** The attributes the window is grouped by, in order (as the user named them). */
  by: readonly string[];
  /** This row's values of the `by` attributes (a missing attribute is ""). */
  values: readonly string[];
  /** The row's measures, in the order the stats step declares them: `count` first. */
  measures: Readonly<Record<string, number>>;
  /** Position of this row in its window (0-based) and the window's number of rows: sinks that take a window as a whole know when it is complete. */
  rank: number;
  rows: number;
  /** Messages the whole window counted (more than the rows' counts when `top` left rows out). */
  total: number;
}

/**
 * What a durable source (JetStream) hears of a message: that every sink has taken what came of it.
 * Whoever still has to deliver it holds it (the source while handing it on, a stats window until it
 * is emitted, each sink until its write is confirmed); the last release settles it: acknowledged
 * when everyone delivered, left for redelivery when one gave up. The steps are synchronous, so a
 * message a step drops is settled as soon as the source has handed it on.
 */
export interface Receipt {
  hold(): void;
  release(delivered: boolean): void;
}

/** Holds every receipt of a list: one more holder (a sink, the dead-letter file) will release them. */
export function holdAll(receipts: readonly Receipt[] | undefined): void {
  if (receipts) for (const r of receipts) r.hold();
}

/** Releases every receipt of a list (a sink's batch, a window's messages). */
export function releaseAll(receipts: readonly Receipt[] | undefined, delivered: boolean): void {
  if (receipts) for (const r of receipts) r.release(delivered);
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
  /**
   * Every key:value pair in payload order, set by `parse` only when a key repeats (`attrs` keeps the
   * first value): the Go nats-sub prints each of them.
   */
  pairs?: readonly (readonly [string, string])[];
  /** Present on stats window rows only. */
  window?: WindowRow;
  /** From a durable source: to be released once delivered (see {@link Receipt}); a window's last row carries its messages'. */
  receipts?: readonly Receipt[];
  /** Set by a source that read the payload ahead (a replay decoding on worker threads), for `parse`: see {@link Decoded}. */
  decoded?: Decoded;
  /** Set when this message stands for a run of messages counted ahead for stats: see {@link Tally}. */
  tally?: Tally;
}

/**
 * Messages in a row of one stats window, counted ahead by the source (a replay on worker threads,
 * when stats that only count come right after parse): one message then stands for all `n` of them,
 * its `time` the latest of theirs. In a row of one window they are late or not together, so stats
 * takes them at once with the same outcome as one by one.
 */
export interface Tally {
  n: number;
  /** The earliest time among them. */
  first: number;
  /** How many had each group key ({@link groupKey} of the stats' `by` attributes), in order of first appearance. */
  groups: readonly (readonly [string, number])[];
  /** Per `by` attribute: whether any of them had it. */
  found: readonly boolean[];
  /** For parse's collection of names: the messages (by position in the run) first in their chunk to have some names, and those names. */
  keys: readonly { at: number; keys: readonly string[] }[];
}

/** How many messages a message stands for (see {@link Tally}). */
export function messageCount(msg: Message): number {
  return msg.tally ? msg.tally.n : 1;
}

/** What a stats window groups a message under, from its values of the `by` attributes (`value(i)`; a missing one is ""). */
export function groupKey(attributes: number, value: (i: number) => AttrValue | undefined): string {
  if (attributes === 1) return String(value(0) ?? ""); // the common case is its own key: no join
  let key = "";
  for (let i = 0; i < attributes; i++) key += (i > 0 ? GROUP_SEP : "") + String(value(i) ?? "");
  return key;
}

/** The start of the stats window of length `every` (aligned to the epoch) that holds `time`. */
export function windowStart(time: number, every: number): number {
  return Math.floor(time / every) * every;
}

/** The by values a {@link groupKey} was made of. */
export function groupValues(key: string, attributes: number): string[] {
  return attributes === 1 ? [key] : attributes === 0 ? [] : key.split(GROUP_SEP);
}

const GROUP_SEP = "\u0001";

/**
 * A payload read ahead. Read: `attrs` holds what parse would find (only the attributes the run
 * reads; `data` is then left empty, since nothing after parse reads it), and `keys`, on a chunk's
 * first messages, the attribute names this message is the first of its chunk to have (parse collects
 * names from them). Not read: why, and the message is whole.
 */
export type Decoded = { keys?: readonly string[] } | { error: string };

/** A payload read ahead that has no new names to tell: one shared object, not one per message. */
export const READ: Decoded = Object.freeze({});

/**
 * What flows between the steps of a pipeline, checked once before it runs: `payloads` as received
 * (no attributes yet), `records` (parsed attributes), `windows` (stats window rows).
 */
export type Shape = "payloads" | "records" | "windows";

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
  if (msg.receipts) out.receipts = msg.receipts;
  return out;
}

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

/** The column names of a window row as tabular sinks write it: window_start, window_end, the `by` attributes, the measures. */
export function windowColumns(by: readonly string[], measures: readonly string[]): string[] {
  return ["window_start", "window_end", ...by, ...measures];
}

/** A window row's flat columns (times as ISO 8601), in {@link windowColumns} order. */
export function windowAttrs(row: WindowRow, windowStart: string, windowEnd: string): Attrs {
  const attrs = newAttrs();
  attrs.window_start = windowStart;
  attrs.window_end = windowEnd;
  for (let i = 0; i < row.by.length; i++) attrs[row.by[i]] = row.values[i];
  for (const name in row.measures) attrs[name] = row.measures[name];
  return attrs;
}

/**
 * A window row as a message: subject `stats`, its attributes {@link windowAttrs}, its payload (`data`)
 * their JSON, made only when something reads it (a record or NATS sink, the console's raw lines): a
 * CSV or metrics sink never does, and making it for every row cost about 40 ms of a replay's main
 * thread for 81k rows (measured).
 */
export class WindowRowMessage implements Message {
  readonly subject = "stats";
  receipts?: readonly Receipt[];
  #data: string | undefined;
  constructor(
    public time: number,
    public attrs: Attrs,
    public window: WindowRow,
  ) {}
  get data(): string {
    return (this.#data ??= JSON.stringify(this.attrs));
  }
}
