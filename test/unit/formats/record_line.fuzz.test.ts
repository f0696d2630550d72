/** Property-based tests of the recorded-file reader: line splitting, record lines, and replay end to end. */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { open } from "node:fs/promises";
import { bytesLines, fileLineTexts, lineBatches, lineChunks, lineRange, splitLines } from "../../../formats/lines.ts";
import { PayloadError, payloadDecoder } from "../../../formats/payload.ts";
import { fromRecordLine, MAX_TIME, MIN_TIME, RecordFormatError, toRecordLine } from "../../../formats/record_line.ts";
import { type Message, messageFromBytes } from "../../../lib/message.ts";
import { compileFilter } from "../../../operators/filter_by_attribute.ts";
import { runPipeline } from "../../../pipelines/run.ts";
import { sinkFromFlag, sourceFromFlag, stepFromFlag } from "../../../pipelines/spec.ts";
import { runCli, summaryLine } from "../../support/cli.ts";
import { assertContained, assertNoPollution, check, counted, DANGEROUS_KEYS, thrown } from "../../support/fuzz.ts";

function readContained(line: string): Message | undefined {
  let msg: Message | undefined;
  assertContained(thrown(() => (msg = fromRecordLine(line))), RecordFormatError, line);
  if (msg) toRecordLine(msg); // whatever is read can be written back
  return msg;
}

const plainMsg = (m: Message) => ({ time: m.time, subject: m.subject, data: m.data, bytes: m.bytes && [...m.bytes], headers: m.headers && Object.entries(m.headers) });

test("any text as a recorded line: a message or a RecordFormatError with a message", () => {
  check(
    fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 100 }), fc.json()), (line) => {
      readContained(line);
      assertNoPollution();
    }),
    1000,
  );
});

test("any JSON object as a recorded line: a message or a RecordFormatError; what is read writes back the same", () => {
  const field = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.double(), fc.integer(), fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? "bad" : d.toISOString())));
  const headers = fc.oneof(field, fc.dictionary(fc.constantFrom(...DANGEROUS_KEYS, "Nats-Msg-Id"), fc.oneof(fc.array(fc.string()), field), { maxKeys: 4 }));
  const rec = fc.record(
    { time: fc.oneof(field, fc.constantFrom(1e300, -1e300, 8.64e15, MAX_TIME, MAX_TIME + 1, MIN_TIME, -0, 1.5)), subject: fc.oneof(field, fc.string()), data: fc.oneof(field, fc.string()), data_b64: fc.oneof(field, fc.base64String()), headers, __proto__: field },
    { requiredKeys: [] },
  );
  check(
    fc.property(rec, (r) => {
      const msg = readContained(JSON.stringify(r));
      if (msg && Number.isInteger(msg.time)) assert.equal(plainMsg(fromRecordLine(toRecordLine(msg))), plainMsg(msg));
      assertNoPollution();
    }),
    1000,
  );
});

const headersArb = fc.option(fc.dictionary(fc.oneof(fc.constantFrom(...DANGEROUS_KEYS), fc.string({ maxLength: 8 })), fc.array(fc.string({ unit: "binary", maxLength: 8 }), { maxLength: 3 }), { maxKeys: 4 }), { nil: undefined });
const messageArb = fc
  .record({
    time: fc.integer({ min: MIN_TIME, max: MAX_TIME }),
    subject: fc.string({ unit: "binary", minLength: 1, maxLength: 30 }),
    payload: fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.string({ unit: "binary", maxLength: 64 }).map((s) => new Uint8Array(Buffer.from(s)))),
    headers: headersArb,
  })
  .map(({ time, subject, payload, headers }) => {
    const h = headers && Object.assign(Object.create(null), headers); // as checkHeaders builds them
    return messageFromBytes(time, subject, payload, h);
  });

test("round trip: fromRecordLine(toRecordLine(msg)) for any message, binary payloads and headers included", () => {
  check(
    fc.property(messageArb, (msg) => {
      const back = fromRecordLine(toRecordLine(msg));
      assert.equal(plainMsg(back), plainMsg(msg));
      assert.not.match(toRecordLine(msg), /\n/);
    }),
    1000,
  );
});

async function collectLines(chunks: Buffer[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of lineBatches(Readable.from(chunks))) lines.push(...batch);
  return lines;
}

/** Cuts bytes at the given points (any byte, inside UTF-8 sequences and between \r and \n too). */
function cut(bytes: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...at, bytes.length]) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  return out.filter((b) => b.length > 0);
}

test("lineBatches: any chunking of the same bytes gives the same lines (UTF-8 split across chunks, CRLF)", async () => {
  const line = fc.string({ unit: fc.oneof(fc.constantFrom("a", "é", "€", "😀", "\r", "\0", " ", "{"), fc.string({ unit: "binary", minLength: 1, maxLength: 1 })), maxLength: 20 }).map((s) => s.replace(/\n/g, ""));
  const input = fc.record({ lines: fc.array(line, { maxLength: 10 }), eol: fc.constantFrom("\n", "\r\n"), final: fc.boolean(), points: fc.array(fc.nat(), { maxLength: 12 }) });
  await check(
    fc.asyncProperty(input, async ({ lines, eol, final, points }) => {
      const text = lines.join(eol) + (final && lines.length > 0 ? eol : "");
      const bytes = Buffer.from(text);
      const whole = await collectLines(cut(bytes, []));
      assert.equal(await collectLines(cut(bytes, points)), whole);
      assert.equal(await collectLines([...bytes].map((b) => Buffer.from([b]))), whole, "one byte a chunk");
      // lines with no \r of their own come back exactly: split at eol, less the empty piece after a final eol
      if (lines.every((l) => !l.includes("\r"))) {
        const expected = text === "" ? [] : text.split(eol);
        if (text.endsWith(eol)) expected.pop();
        assert.equal(whole, expected);
      }
    }),
    300,
  );
});

test("lineChunks with minBytes (chunks for threads): any chunking and any minBytes give chunks of whole lines that together are the bytes", async () => {
  const input = fc.record({ lines: fc.array(fc.string({ maxLength: 30 }).map((s) => s.replace(/\n/g, "")), { maxLength: 12 }), final: fc.boolean(), points: fc.array(fc.nat(), { maxLength: 12 }), min: fc.nat({ max: 120 }) });
  await check(
    fc.asyncProperty(input, async ({ lines, final, points, min }) => {
      const bytes = Buffer.from(lines.join("\n") + (final && lines.length > 0 ? "\n" : ""));
      const chunks: Buffer[] = [];
      for await (const c of lineChunks(Readable.from(cut(bytes, points)), min)) chunks.push(c);
      const joined = Buffer.concat(chunks.flatMap((c, i) => (i > 0 ? [Buffer.from("\n"), c] : [c])));
      // a line end closing the bytes is no line of its own
      assert.equal(joined.toString(), bytes.toString().replace(/\n$/, ""));
    }),
    300,
  );
});

test("lineRange: ranges that tile a file give each of its lines once, in order, as lineBatches does (threads reading ranges)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ranges-"));
  const line = fc.string({ unit: fc.constantFrom("a", "é", "😀", "\r", " ", "{"), maxLength: 200_000 / 40 });
  const input = fc.record({ lines: fc.array(line, { maxLength: 40 }), final: fc.boolean(), size: fc.integer({ min: 1, max: 300 }) });
  await check(
    fc.asyncProperty(input, async ({ lines, final, size }) => {
      const text = lines.join("\n") + (final && lines.length > 0 ? "\n" : "");
      const file = join(dir, "f");
      writeFileSync(file, text);
      const bytes = Buffer.byteLength(text);
      const fd = openSync(file, "r");
      const got: string[] = [];
      try {
        for (let start = 0; start < bytes; start += size) {
          const chunk = lineRange(fd, start, start + size, bytes);
          if (chunk) got.push(...splitLines(chunk.toString("utf8")));
        }
      } finally {
        closeSync(fd);
      }
      assert.equal(got, await collectLines([Buffer.from(text)]));
    }),
    300,
  );
  rmSync(dir, { recursive: true, force: true });
});

test("fileLineTexts: any file read any number of bytes at a time gives the lines lineBatches gives, in texts of at most textBytes but for a longer line", async () => {
  const dir = mkdtempSync(join(tmpdir(), "texts-"));
  const line = fc.string({ unit: fc.constantFrom("a", "é", "😀", "\r", " ", "{"), maxLength: 60 });
  const input = fc.record({ lines: fc.array(line, { maxLength: 40 }), final: fc.boolean(), readBytes: fc.integer({ min: 1, max: 300 }), textBytes: fc.integer({ min: 1, max: 200 }) });
  await check(
    fc.asyncProperty(input, async ({ lines, final, readBytes, textBytes }) => {
      const text = lines.join("\n") + (final && lines.length > 0 ? "\n" : "");
      const file = join(dir, "f");
      writeFileSync(file, text);
      const handle = await open(file, "r");
      const position = { bytes: 0 };
      const got: string[] = [];
      try {
        for await (const t of fileLineTexts(handle, readBytes, position, textBytes)) {
          const pieces = splitLines(t);
          if (pieces.length > 1) assert.ok(Buffer.byteLength(t) <= textBytes, `a text of ${pieces.length} lines is ${Buffer.byteLength(t)} bytes`);
          got.push(...pieces);
        }
      } finally {
        await handle.close();
      }
      assert.equal(got, await collectLines([Buffer.from(text)]));
      assert.is(position.bytes, Buffer.byteLength(text));
    }),
    300,
  );
  rmSync(dir, { recursive: true, force: true });
});

test("bytesLines: the lines splitLines gives for the whole text, for any bytes (invalid UTF-8, CRLF) decoded in texts of any size", () => {
  const unit = fc.oneof(fc.constantFrom("a", "é", "😀", "\r", "\n", "\r\n", " "), fc.string({ unit: "binary", minLength: 1, maxLength: 1 }));
  const input = fc.record({
    text: fc.oneof(fc.string({ unit, maxLength: 300 }).map((t) => Buffer.from(t)), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b))),
    textBytes: fc.integer({ min: 1, max: 200 }),
  });
  check(
    fc.property(input, ({ text, textBytes }) => {
      assert.equal(bytesLines(text, textBytes), splitLines(text.toString("utf8")));
    }),
    2000,
  );
});

test("lineBatches: a 1 MB+ line in 64 KB chunks, and invalid UTF-8 replaced rather than thrown", async () => {
  const big = "é".repeat(600_000); // 1.2 MB, a 2-byte sequence cut at every odd chunk edge
  const bytes = Buffer.from(`${big}\r\nb\n`);
  const chunks = cut(bytes, Array.from({ length: Math.ceil(bytes.length / 65_537) }, (_, i) => (i + 1) * 65_537));
  assert.equal(await collectLines(chunks), [big, "b"]);
  assert.equal(await collectLines([Buffer.from([0xff, 0xc3, 0x0a, 0xa9, 0x41])]), ["\ufffd\ufffd", "\ufffdA"]);
  counted(2);
});

test("recorded lines: times outside the years 0000-9999 are refused (regressions: toRecordLine threw RangeError for 1e300; a 7-day window after 8.6399999e15 ended outside the Date range)", () => {
  for (const time of [1e300, -1e300, 8.64e15 + 1, 8639999900000000, MAX_TIME + 1, MIN_TIME - 1, "275760-09-13T00:00:00.001Z", "+010000-01-01T00:00:00.000Z"]) {
    const err = thrown(() => fromRecordLine(JSON.stringify({ time, subject: "s", data: "x" })));
    assert.instance(err, RecordFormatError);
    assert.match((err as Error).message, /"time"/);
  }
  // a deeply nested "time" is described, not stringified (which would overflow the stack)
  const deep = `{"time":${"[".repeat(100_000)}${"]".repeat(100_000)},"subject":"s","data":"x"}`;
  assert.match((thrown(() => fromRecordLine(deep)) as Error).message, /got a list/);
  const huge = JSON.stringify({ time: "x".repeat(2_000_000), subject: "s", data: "x" });
  assert.ok((thrown(() => fromRecordLine(huge)) as Error).message.length < 200);
  assert.is(fromRecordLine(JSON.stringify({ time: MAX_TIME, subject: "s", data: "x" })).time, MAX_TIME);
  assert.is(fromRecordLine(JSON.stringify({ time: "0000-01-01T00:00:00.000Z", subject: "s", data: "x" })).time, MIN_TIME);
  counted(12);
});

test("recorded lines: 1 MB+ payloads, NUL bytes, invalid UTF-8 via data_b64, 10,000 headers", () => {
  const big = "site:" + "x\0".repeat(600_000);
  assert.is(fromRecordLine(JSON.stringify({ time: 0, subject: "s", data: big })).data, big);
  const bad = Buffer.from([0xff, 0xfe, 0x00, 0xc3]);
  const msg = fromRecordLine(JSON.stringify({ time: 0, subject: "s", data_b64: bad.toString("base64") }));
  assert.equal([...msg.bytes!], [...bad]);
  assert.is(msg.data, "\ufffd\ufffd\0\ufffd");
  const headers = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`h${i}`, [String(i)]]));
  assert.is(Object.keys(fromRecordLine(JSON.stringify({ time: 0, subject: "s", data: "", headers })).headers!).length, 10_000);
  const proto = fromRecordLine('{"time":0,"subject":"s","data":"","headers":{"__proto__":["x"],"constructor":["y"]}}');
  assert.equal(proto.headers!.__proto__, ["x"]);
  assertNoPollution();
  counted(4);
});

/** A recorded file of mixed lines: valid cms/JSON/garbage payloads, and lines that are not records at all. */
const fileLine = fc.oneof(
  { weight: 3, arbitrary: fc.record({ site: fc.constantFrom("T2_US_MIT", "T1_CH_CERN", "T3_X", "__proto__"), code: fc.integer({ min: 0, max: 9999 }) }).map(({ site, code }) => ({ data: `site:${site}   exitCode:${code}` })) },
  { weight: 2, arbitrary: fc.record({ Site: fc.constantFrom("T2_DE_KIT", "T1_US_FNAL"), ExitCode: fc.integer({ min: 0, max: 9999 }), constructor: fc.string({ maxLength: 4 }) }).map((o) => ({ data: JSON.stringify(o) })) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }).map((data) => ({ data })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }).map((b) => ({ data_b64: Buffer.from(b).toString("base64") })) },
  { weight: 1, arbitrary: fc.oneof(fc.string({ unit: "binary", maxLength: 30 }), fc.constant('{"time":1e300,"subject":"s","data":"x"}'), fc.constant("\0\0"), fc.constant("   ")).map((raw) => ({ raw })) },
);
const FILTERS = ['site: "T2_*"', "exitCode: {gte: 5000}", "site: /^T[12]_/", "constructor: {exists: true}", 'site: "!T1_CH_CERN"'];

test("replay end to end: in = out + filtered + parse_errors, skipped lines counted apart, every output line recorded", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fuzz-replay-"));
  const quiet = () => new Writable({ write: (_c, _e, cb) => cb() });
  try {
    await check(
      fc.asyncProperty(fc.array(fileLine, { maxLength: 40 }), fc.constantFrom(...FILTERS), fc.constantFrom("\n", "\r\n"), async (lines, filter, eol) => {
        const text = lines.map((l, i) => ("raw" in l ? l.raw.replace(/[\r\n]/g, "") : JSON.stringify({ time: i * 1000, subject: "cms.test", ...l }))).join(eol);
        const input = join(dir, "in.jsonl");
        const output = join(dir, "out.jsonl");
        writeFileSync(input, text);
        const spec = { from: sourceFromFlag(`replay:${input}`), steps: [stepFromFlag("parse", "auto"), stepFromFlag("filter", filter)], to: [sinkFromFlag(`{record: {path: "${output}", overwrite: true}}`)] };
        const result = await runPipeline(spec, { signal: new AbortController().signal, stdin: Readable.from([]), stdout: quiet(), stderr: quiet() });
        const c = result.report.counts();
        // independent count from the same lines
        const decode = payloadDecoder({});
        const keep = compileFilter(stepFromFlag("filter", filter).config as Parameters<typeof compileFilter>[0]);
        const expected = { in: 0, out: 0, skipped: 0, outside_range: 0, reconnects: 0, redelivered: 0, parse_errors: 0, filtered: 0 };
        for (const line of text.split(eol)) {
          if (line.trim() === "") continue;
          const msg = thrown(() => fromRecordLine(line)) ? undefined : fromRecordLine(line);
          if (!msg) { expected.skipped++; continue; }
          expected.in++;
          let attrs;
          try { attrs = decode.decode(msg.data); } catch (err) { if (!(err instanceof PayloadError)) throw err; expected.parse_errors++; continue; }
          if (keep({ ...msg, attrs })) expected.out++; else expected.filtered++;
        }
        assert.equal({ ...c }, expected);
        assert.is(c.in, c.out + c.filtered + c.parse_errors, JSON.stringify(c));
        if (expected.in === 0 && expected.skipped > 0) {
          assert.match(String(result.error), /is not a recording/, "no line is a recorded message");
          return;
        }
        assert.ok(result.ok, String(result.error));
        const written = readFileSync(output, "utf8");
        assert.is(written === "" ? 0 : written.trimEnd().split("\n").length, c.out);
        assertNoPollution();
      }),
      60,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("CLI replay of a hostile file: exit 0, a summary whose counts add up", () => {
  const dir = mkdtempSync(join(tmpdir(), "fuzz-cli-"));
  try {
    const file = join(dir, "hostile.jsonl");
    const lines = [
      JSON.stringify({ time: 0, subject: "cms.a", data: "site:T2_US_MIT   exitCode:1" }),
      JSON.stringify({ time: 1, subject: "cms.a", data: '{"a":' + "[".repeat(50_000) + "]".repeat(50_000) + "}" }),
      JSON.stringify({ time: 2, subject: "cms.a", data: "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000) }),
      JSON.stringify({ time: 3, subject: "cms.a", data: "__proto__:x   constructor:y   site:T2_X" }),
      JSON.stringify({ time: 4, subject: "cms.a", data_b64: Buffer.from([0xff, 0x00]).toString("base64") }),
      JSON.stringify({ time: 1e300, subject: "cms.a", data: "site:x" }),
      "\0\0\0",
      JSON.stringify({ time: 5, subject: "cms.a", data: "site:" + "y".repeat(1_100_000) }),
    ];
    writeFileSync(file, lines.join("\r\n"));
    const r = runCli("cms-nats", ["replay", file, "--filter", 'site: "T2_*"', "--to", `record:${join(dir, "out.jsonl")}`]);
    assert.is(r.code, 0, r.stderr);
    assert.is(summaryLine(r.stderr), "summary in=6 skipped=2 parse_errors=3 filtered=1 out=2");
    counted(lines.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
