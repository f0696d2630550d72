/**
 * A faster reader of the messages a subscriber receives, on a nats.js connection.
 *
 * nats.js reads every protocol line a byte at a time through a state machine (a port of the Go
 * client's parser): 0.7–1.4 µs for each `MSG` line of a CMS message (tmp micro-benchmark over the
 * live bench's 200k messages in 64 KB chunks), then a `Msg` object and a `TextDecoder` call for its
 * subject, more than half of a bare subscriber's CPU. A live subscriber that also decodes the payload
 * and writes a line was then twice the bare client's CPU, and fell behind it on two cores.
 *
 * This reader takes over nats.js's parser (every instance, so reconnects keep it): it finds each
 * whole operation in the chunk with `indexOf`, and hands a plain `MSG` of a subscription made with
 * {@link subscribePlain} straight to that subscription's handler as a subject and a payload. Every
 * other operation (INFO, PING, PONG, +OK, -ERR, HMSG, a MSG of another subscription, anything it
 * does not recognise) goes, whole and byte for byte, to nats.js's own parser, which handles it as
 * it always did. An operation cut by the end of a chunk waits for the rest before either of them
 * sees it. A connection whose shape is not the one this was written against (another nats.js
 * version) is left as it is, and its messages come through the subscription's callback.
 */
import { isAscii } from "node:buffer";
import type { Msg, NatsConnection, NatsError, Subscription } from "nats";

/** A plain message (no headers): its subject, and its payload as text when it is ASCII (nearly all are), else its bytes. */
export type PlainHandler = (subject: string, payload: string | Uint8Array) => void;

/** The parts of nats.js's internals this reader uses (nats 2.x: nats-base-client/parser.ts, protocol.ts). */
interface Parser {
  state: number;
  parse: NatsParse;
  dispatcher: Protocol;
}
interface Protocol {
  inMsgs: number;
  inBytes: number;
  subscriptions: { get(sid: number): SubscriptionState | undefined };
}
interface SubscriptionState {
  received: number;
  max?: number;
  unsubscribe(): void;
}

/** nats.js's parser state between operations (State.OP_START). */
const OP_START = 0;
const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;

const handlers = new WeakMap<object, PlainHandler>();
/** What a parser holds of an operation cut by the end of a chunk: `need` is its length, 0 while its control line is cut. */
const held = new WeakMap<Parser, { chunks: Buffer[]; bytes: number; need: number }>();
/** Where the reader keeps, on nats.js's parser class, the `parse` it replaced. */
export const NATS_PARSE = Symbol.for("cms-nats.message-reader");

/**
 * Subscribes as `nc.subscribe(subject, { queue, callback })` does, but plain messages come to
 * `plain`, read by this module's reader; `callback` still gets errors and the messages with headers
 * (and every message where the reader could not be installed).
 */
export function subscribePlain(nc: NatsConnection, subject: string, opts: { queue?: string }, plain: PlainHandler, callback: (err: NatsError | null, msg: Msg) => void): Subscription {
  install(nc);
  const sub = nc.subscribe(subject, { queue: opts.queue, callback });
  handlers.set(sub, plain);
  return sub;
}

/** Puts the reader in place of the `parse` of nats.js's parser class, once; whether it is there. */
export function install(nc: NatsConnection): boolean {
  const parser = (nc as unknown as { protocol?: { parser?: Parser } }).protocol?.parser;
  const proto = parser && (Object.getPrototypeOf(parser) as Parser & { [NATS_PARSE]?: NatsParse });
  if (!proto || typeof proto.parse !== "function" || typeof parser.dispatcher?.subscriptions?.get !== "function" || typeof parser.state !== "number") return false;
  if (proto[NATS_PARSE]) return true;
  const nats = (proto[NATS_PARSE] = proto.parse);
  proto.parse = function (this: Parser, chunk: Uint8Array) {
    read(this, chunk, nats);
  };
  return true;
}

type NatsParse = (this: Parser, buf: Uint8Array) => void;

function read(parser: Parser, chunk: Uint8Array, nats: NatsParse): void {
  let buf = asBuffer(chunk);
  const waiting = held.get(parser);
  if (waiting) {
    held.delete(parser);
    const { chunks, bytes, need } = waiting;
    if (need === 0) {
      // a control line was cut (rare: it is short): read on from its start
      buf = Buffer.concat([...chunks, buf]);
    } else if (bytes + buf.length < need) {
      // a large payload: joined once, when whole
      held.set(parser, { chunks: [...chunks, buf], bytes: bytes + buf.length, need });
      return;
    } else {
      // the cut operation alone is joined, not the rest of this chunk
      scan(parser, Buffer.concat([...chunks, buf.subarray(0, need - bytes)]), nats);
      buf = buf.subarray(need - bytes);
    }
  }
  // nats.js is inside an operation: before the reader was installed, or after bytes it took over
  if (parser.state !== OP_START) return nats.call(parser, buf);
  scan(parser, buf, nats);
}

/** Hands each whole operation of `buf` on, and holds one cut by its end. */
function scan(parser: Parser, buf: Buffer, nats: NatsParse): void {
  const ascii = isAscii(buf);
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const c = buf[i] | 0x20; // lower case
    const eol = buf.indexOf(LF, i);
    if (c !== 0x6d /* m */ && c !== 0x68 /* h */) {
      // INFO, PING, PONG, +OK, -ERR (a line each), or bytes nats.js rejects at once
      if (eol < 0 && (c === 0x69 || c === 0x70 || c === 0x2b || c === 0x2d) /* i p + - */) break;
      const end = eol < 0 ? n : eol + 1;
      nats.call(parser, buf.subarray(i, end));
      i = end;
      continue;
    }
    if (eol < 0) break;
    const lineEnd = buf[eol - 1] === CR ? eol - 1 : eol;
    const size = lastNumber(buf, i, lineEnd); // of MSG, of HMSG its total
    const end = eol + 1 + size + 2;
    if (size < 0 || (end <= n && buf[end - 1] !== LF)) return nats.call(parser, buf.subarray(i)); // not as a server writes it: nats.js decides
    if (end > n) {
      held.set(parser, { chunks: [buf.subarray(i)], bytes: n - i, need: end - i });
      return;
    }
    if (!plainMessage(parser.dispatcher, buf, i, lineEnd, eol, end, ascii)) nats.call(parser, buf.subarray(i, end));
    i = end;
  }
  if (i < n) held.set(parser, { chunks: [buf.subarray(i)], bytes: n - i, need: 0 });
}

/** Where the protocol token starting at `k` ends: at white space as nats.js splits arguments (space, tab, CR, LF). */
function tokenEnd(buf: Buffer, k: number, end: number): number {
  for (let b; k < end && (b = buf[k]) !== SPACE && b !== TAB && b !== CR && b !== LF; k++);
  return k;
}

/**
 * `MSG <subject> <sid> [reply] <size>` (buf[from, lineEnd), its LF at `eol`), single spaces, of a
 * subscription with a plain handler: handed to it with nats.js's own counting (protocol.ts
 * processMsg); false if it is not such a message.
 */
function plainMessage(protocol: Protocol, buf: Buffer, from: number, lineEnd: number, eol: number, end: number, ascii: boolean): boolean {
  if (buf[from] !== 0x4d || buf[from + 1] !== 0x53 || buf[from + 2] !== 0x47 || buf[from + 3] !== SPACE) return false; // MSG
  const subjectEnd = tokenEnd(buf, from + 4, lineEnd);
  if (subjectEnd === from + 4 || buf[subjectEnd] !== SPACE) return false;
  let sid = 0;
  let k = subjectEnd + 1;
  for (let d; (d = buf[k] - 48) >= 0 && d <= 9; k++) sid = sid * 10 + d;
  if (k === subjectEnd + 1 || buf[k] !== SPACE) return false;
  if (!isNumber(buf, k + 1, lineEnd)) {
    // a reply subject, then the size
    k = tokenEnd(buf, k + 1, lineEnd);
    if (!isNumber(buf, k + 1, lineEnd)) return false; // the size follows a space: lastNumber said so
  }
  const sub = protocol.subscriptions.get(sid);
  const plain = sub && handlers.get(sub);
  if (!plain) return false;
  const start = eol + 1;
  const payloadEnd = end - 2;
  protocol.inMsgs++;
  protocol.inBytes += payloadEnd - start;
  sub.received += 1;
  const text = buf as Buffer & Slices;
  plain(ascii ? text.latin1Slice(from + 4, subjectEnd) : text.utf8Slice(from + 4, subjectEnd), ascii ? text.latin1Slice(start, payloadEnd) : buf.subarray(start, payloadEnd));
  if (sub.max !== undefined && sub.received >= sub.max) sub.unsubscribe();
  return true;
}

/** Whether buf[from, to) is digits only, one at least. */
function isNumber(buf: Buffer, from: number, to: number): boolean {
  if (from >= to) return false;
  for (let k = from; k < to; k++) if (buf[k] < 48 || buf[k] > 57) return false;
  return true;
}

/** The last number of the line buf[from, end), without its CR (the size of MSG, the total size of HMSG); -1 if it does not end in one. */
function lastNumber(buf: Buffer, from: number, end: number): number {
  let value = 0;
  let scale = 1;
  let k = end - 1;
  for (let d; k > from && (d = buf[k] - 48) >= 0 && d <= 9; k--, scale *= 10) value += d * scale;
  return k === end - 1 || buf[k] !== SPACE ? -1 : value;
}

/**
 * What `buf.toString(encoding, start, end)` calls once it has checked its arguments (node's Buffer
 * has had them since its first versions): toString's own checks were 21 ms of 200k messages
 * (--cpu-prof, stub server), about 0.1 µs a message for its two calls.
 */
interface Slices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
}
