/**
 * The message reader against nats.js's own parser: any sequence of server operations, cut into
 * chunks anywhere, gives the same events in the same order, except that the plain messages of a
 * subscription made for the reader come to its handler (with nats.js's counts kept) instead of as
 * MSG events. Run on nats.js's real Parser class.
 */
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kind, Parser } from "nats/lib/nats-base-client/parser.js";
import { NATS_PARSE, type PlainHandler, subscribePlain } from "../../../nats/message_reader.ts";
import { check, counted } from "../../support/fuzz.ts";

const PLAIN_SID = 1;

/** A server operation and its bytes. */
const bytes = (...parts: (string | Uint8Array)[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : p)));
const payload = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.string({ unit: fc.constantFrom("a", "exitCode:8028", "   ", "\r\n", "\n", "MSG x 1 3\r\n", "é", "\ud800"), maxLength: 30 }).map((s) => Buffer.from(s)),
);
const subject = fc.constantFrom("cms.wmarchive.exitCode.8028", "a", "cms.é.x", "_INBOX.abc.1");
const operation = fc.oneof(
  fc.record({ subject, sid: fc.constantFrom(PLAIN_SID, 2, 17), payload }).map(({ subject, sid, payload }) => bytes(`MSG ${subject} ${sid} ${payload.length}\r\n`, payload, "\r\n")),
  fc.record({ subject, sid: fc.constantFrom(PLAIN_SID, 2), payload }).map(({ subject, sid, payload }) => bytes(`MSG ${subject} ${sid} _INBOX.r.1 ${payload.length}\r\n`, payload, "\r\n")),
  fc.record({ sid: fc.constantFrom(PLAIN_SID, 2), payload }).map(({ sid, payload }) => {
    const headers = "NATS/1.0\r\nNats-Msg-Id: x\r\n\r\n";
    return bytes(`HMSG h.s ${sid} ${headers.length} ${headers.length + payload.length}\r\n`, headers, payload, "\r\n");
  }),
  fc.constantFrom(
    bytes("PING\r\n"),
    bytes("PONG\r\n"),
    bytes("+OK\r\n"),
    bytes("-ERR 'Permissions Violation for Subscription to \"x\"'\r\n"),
    bytes(`INFO {"server_id":"s","connect_urls":["${"a".repeat(500)}:4222"]}\r\n`),
    bytes("MSG a 1 0\r\n\r\n"),
    bytes("msg lower 1 2\r\nab\r\n"),
    bytes("MSG tab\t1 2\r\nab\r\n"),
    bytes("MSG a\tb 1 2\r\nab\r\n"),
    bytes("MSG a 1  2\r\nab\r\n"),
    bytes("MSG a 1 x y 2\r\nab\r\n"),
    // a payload not followed by CRLF where its size says: nats.js skips to the next LF
    bytes("MSG a 1 2\r\nabc\r\n"),
    bytes("MSG a 2 1\r\nabcdef\n"),
  ),
);

interface Run {
  events: unknown[];
  /** nats.js's counts (protocol.ts processMsg), of the plain subscription's messages here. */
  inMsgs: number;
  inBytes: number;
  received: number;
  /** Plain messages that reached the application through nats.js's parser instead of the reader. */
  viaNats: number;
}

/**
 * A nats.js protocol handler as the parser sees it (protocol.ts), with one subscription, PLAIN_SID.
 * Its plain messages are recorded the same way whichever path brought them: as the application gets
 * them, a subject and the payload bytes (the reader does not hand on a reply subject).
 */
function protocol(run: Run) {
  const sub = { received: 0, max: undefined, unsubscribe: () => undefined };
  const plain: PlainHandler = (subject, data) => run.events.push(["plain", subject, (typeof data === "string" ? Buffer.from(data, "latin1") : Buffer.from(data)).toString("hex")]);
  const d = {
    inMsgs: 0,
    inBytes: 0,
    subscriptions: { get: (sid: number) => (sid === PLAIN_SID ? sub : undefined) },
    sub,
    plain,
    push(e: { kind: number; msg?: { subject: Uint8Array; reply?: Uint8Array; sid: number; hdr: number; size: number }; data?: Uint8Array }) {
      if (e.kind !== Kind.MSG) return run.events.push([e.kind, e.data && Buffer.from(e.data).toString("hex")]);
      const m = e.msg!;
      if (m.sid !== PLAIN_SID || m.hdr >= 0) return run.events.push(["MSG", Buffer.from(m.subject).toString(), m.reply && Buffer.from(m.reply).toString(), m.sid, m.hdr, m.size, Buffer.from(e.data!).toString("hex")]);
      run.viaNats++;
      d.inMsgs++;
      d.inBytes += e.data!.length;
      sub.received++;
      plain(new TextDecoder().decode(m.subject), e.data!);
    },
  };
  return d;
}

/** Feeds `chunks` to a parser: through the reader, or to nats.js's own parse. */
function feed(chunks: readonly Uint8Array[], reader: boolean): Run {
  const run: Run = { events: [], inMsgs: 0, inBytes: 0, received: 0, viaNats: 0 };
  const d = protocol(run);
  const parser = new Parser(d as never);
  // a connection as the reader finds one, whose subscribe makes the PLAIN_SID subscription
  const nc = { protocol: { parser }, subscribe: () => d.sub } as never;
  subscribePlain(nc, "s", {}, d.plain, () => assert.unreachable("the callback is nats.js's, not called here"));
  const natsParse = (Parser.prototype as unknown as Record<symbol, (buf: Uint8Array) => void>)[NATS_PARSE];
  assert.type(natsParse, "function");
  assert.is.not(parser.parse, natsParse, "the reader is installed");
  const parse = reader ? parser.parse : natsParse;
  for (const c of chunks) {
    try {
      parse.call(parser, c);
    } catch (err) {
      run.events.push(["thrown", (err as Error).message]);
      break;
    }
  }
  Object.assign(run, { inMsgs: d.inMsgs, inBytes: d.inBytes, received: d.sub.received });
  return run;
}

/** Cuts `all` at the given fractions. */
function cut(all: Buffer, at: readonly number[]): Buffer[] {
  const points = [...new Set(at.map((f) => Math.floor(f * all.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    chunks.push(all.subarray(from, p));
    from = p;
  }
  chunks.push(all.subarray(from));
  return chunks;
}

test("any server operations cut anywhere: the same events as nats.js's parser, plain messages to the handler", () => {
  check(
    fc.property(fc.array(operation, { maxLength: 25 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }), (ops, at) => {
      const chunks = cut(Buffer.concat(ops), at);
      assert.equal({ ...feed(chunks, true), viaNats: 0 }, { ...feed(chunks, false), viaNats: 0 });
    }),
    2000,
  );
});

test("a payload far larger than a chunk, cut into many: joined once, handed on whole", () => {
  const big = Buffer.alloc(1_000_000, "x");
  const all = bytes(`MSG big 1 ${big.length}\r\n`, big, "\r\nPING\r\n");
  const chunks = cut(all, Array.from({ length: 40 }, (_, i) => i / 40));
  const run = feed(chunks, true);
  assert.equal({ ...run, viaNats: 0 }, { ...feed(chunks, false), viaNats: 0 });
  assert.is(run.events.length, 2);
  assert.is(run.viaNats, 0);
  counted();
});

test("bytes that are no operation: nats.js's own protocol error, at once", () => {
  const run = feed([bytes("PING\r\nGARBAGE\r\n")], true);
  assert.equal(run, { ...feed([bytes("PING\r\nGARBAGE\r\n")], false), viaNats: 0 });
  assert.is(run.events.at(-1)?.[0 as never], "thrown");
  counted();
});
test("a busy stream, every chunk cut inside an operation (a control line too): every message still through the reader", () => {
  const messages = Array.from({ length: 200 }, (_, i) => bytes(`MSG cms.wmarchive.exitCode.${i} 1 ${20 + (i % 7)}\r\n`, "x".repeat(20 + (i % 7)), "\r\n"));
  const all = Buffer.concat([bytes("PING\r\n"), ...messages.slice(0, 100), bytes("PING\r\n"), ...messages.slice(100)]);
  const pings = [0, all.indexOf("PING", 10)];
  const chunks = cut(all, [2 / all.length, (pings[1] + 2) / all.length, ...Array.from({ length: 30 }, (_, i) => (i + 0.5) / 30)]);
  const run = feed(chunks, true);
  assert.equal({ ...run, viaNats: 0 }, { ...feed(chunks, false), viaNats: 0 });
  assert.is(run.received, 200);
  assert.is(run.viaNats, 0);
  counted();
});

test("after a payload not ended where its size says, a chunk that starts inside nats.js's operation goes to nats.js", () => {
  // nats.js reads "MSG x 1 3..." as payload here: the reader must not take it for a message
  const inner = "MSG x 1 3\r\nabc\r\n";
  const all = bytes("MSG a 2 1\r\nabcdef\n", `MSG b 1 ${inner.length + 4}\r\n`, "1234", inner, "\r\nPING\r\n");
  const chunks = cut(all, [all.indexOf(inner) / all.length]);
  const run = feed(chunks, true);
  assert.equal({ ...run, viaNats: 0 }, { ...feed(chunks, false), viaNats: 0 });
  assert.is(run.received, 1);
  counted();
});

test.run();
