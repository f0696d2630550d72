/** Property-based tests of the payload parser: any text in, attributes or a PayloadError out; no pollution. */
import fc from "fast-check";
import { from, toArray } from "rxjs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type DecodeOptions, decodePayload, encodeCms, encodeJson, MAX_JSON_DEPTH, PayloadError, payloadDecoder } from "../../../formats/payload.ts";
import type { Attrs, Message } from "../../../lib/message.ts";
import { type ParseFailure, parse } from "../../../operators/parse.ts";
import { assertContained, assertNoPollution, check, counted, DANGEROUS_KEYS, thrown } from "../../support/fuzz.ts";

const OPTIONS: DecodeOptions[] = [{}, { format: "cms" }, { format: "json" }, { keys: "keep" }, { format: "cms", sep: ";" }, { format: "cms", sep: " " }];
const entries = (attrs: Attrs) => Object.entries(attrs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Attribute maps come from a null-prototype chain: nothing inherited, every value text. */
function assertSafeAttrs(attrs: Attrs, setKeys: string[] = Object.keys(attrs)): void {
  assert.is(Object.getPrototypeOf(Object.getPrototypeOf(attrs)), null, "attrs inherit from Object.prototype");
  for (const k of ["constructor", "toString", "hasOwnProperty", "__proto__", "valueOf"]) {
    if (!setKeys.includes(k)) assert.is(attrs[k], undefined, `attrs.${k} is inherited`);
  }
  for (const v of Object.values(attrs)) assert.type(v, "string");
}

function decodeContained(data: string, opts: DecodeOptions): Attrs | undefined {
  let attrs: Attrs | undefined;
  assertContained(thrown(() => (attrs = decodePayload(data, opts))), PayloadError, data);
  if (attrs) assertSafeAttrs(attrs);
  return attrs;
}

/** Text made of the characters that matter to the parsers, plus anything else. */
const payloadText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({ unit: fc.constantFrom("a", "Z", ":", " ", "   ", ";", "{", "}", '"', ",", "[", "]", "\0", "\r\n", "\n", "\\", "é", "\ud800", "__proto__", "constructor"), maxLength: 60 }),
);

test("any text: attributes or a PayloadError with a message, in every format", () => {
  check(
    fc.property(payloadText, fc.constantFrom(...OPTIONS), (data, opts) => {
      decodeContained(data, opts);
      assertNoPollution();
    }),
    2000,
  );
});

test("any JSON value: attributes or a PayloadError; nothing inherited, nothing polluted", () => {
  const key = fc.oneof(fc.constantFrom(...DANGEROUS_KEYS), fc.string({ maxLength: 8 }));
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: "small" }, fc.jsonValue({ maxDepth: 2 }), tie("object"), fc.array(tie("value"), { maxLength: 3 })),
    object: fc.dictionary(key, tie("value"), { maxKeys: 5 }),
  }));
  check(
    fc.property(json.object, fc.constantFrom<DecodeOptions>({}, { keys: "keep" }), (obj, opts) => {
      // JSON.stringify of a dictionary with a "__proto__" own key writes it as a plain key
      const attrs = decodeContained(JSON.stringify(obj), opts);
      if (attrs) for (const k of Object.keys(obj)) if (typeof obj[k] !== "object" || obj[k] === null) assert.ok(Object.hasOwn(attrs, opts.keys ? k : k.replace(/^[A-Z]/, (c) => c.toLowerCase())), k);
      assertNoPollution();
    }),
    1000,
  );
});

test("cms payloads with dangerous keys: plain attributes, nothing inherited", () => {
  check(
    fc.property(fc.uniqueArray(fc.tuple(fc.constantFrom(...DANGEROUS_KEYS, "site", "Constructor"), fc.string({ unit: "grapheme-ascii", maxLength: 10 }).map((s) => s.replace(/ {3}/g, "_"))), { selector: ([k]) => k, minLength: 1, maxLength: 6 }), (pairs) => {
      const data = pairs.map(([k, v]) => `${k}:${v}`).join("   ");
      const attrs = decodeContained(data, { format: "cms", keys: "keep" });
      if (attrs) {
        const set = pairs.map(([k]) => k);
        assertSafeAttrs(attrs, set);
        if (!set.includes("polluted")) assert.is(attrs.polluted, undefined);
      }
      assertNoPollution();
    }),
    500,
  );
});

/**
 * Keys and values that are valid cms for a separator: keys without white space or ':'; values that
 * do not hold the separator or end in a piece of it, nor in a line end (which closes a payload).
 */
function validCms(sep: string) {
  const key = fc.oneof(fc.constantFrom(...DANGEROUS_KEYS), fc.string({ unit: "binary", minLength: 1, maxLength: 12 })).filter((k) => k !== "" && !/[\s:]/.test(k) && !k.includes(sep));
  const value = fc.string({ unit: "binary", maxLength: 20 }).filter((v) => (v + sep).indexOf(sep) === v.length && !v.endsWith("\n"));
  return fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, minLength: 1, maxLength: 12 });
}

test("round trip: decodePayload(encodeCms(attrs)) gives the attributes back", () => {
  // a separator holding ':' is ambiguous after an empty value ("k:" + "::" + "x:1"), so none here
  const input = fc.constantFrom("   ", ";", " ", "|", "\t", ";;").chain((sep) => validCms(sep).map((pairs) => ({ sep, pairs })));
  check(
    fc.property(input, ({ sep, pairs }) => {
      // built through decodePayload's own map type so "__proto__" is a plain key
      const attrs = decodePayload(pairs.map(([k, v]) => `${k}:${v}`).join(sep), { format: "cms", sep, keys: "keep" });
      assert.equal(entries(attrs), [...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      assert.equal(entries(decodePayload(encodeCms(attrs, sep), { format: "cms", sep, keys: "keep" })), entries(attrs));
    }),
    1000,
  );
});

test("round trip: decodePayload(encodeJson(attrs)) gives flat text attributes back", () => {
  check(
    fc.property(fc.uniqueArray(fc.tuple(fc.oneof(fc.constantFrom(...DANGEROUS_KEYS), fc.string({ unit: "binary", maxLength: 10 })), fc.string({ unit: "binary", maxLength: 20 })), { selector: ([k]) => k, maxLength: 10 }), (pairs) => {
      const attrs = payloadDecoder({ format: "json", keys: "keep" }).decode(JSON.stringify(Object.fromEntries(pairs)));
      assert.equal(entries(decodePayload(encodeJson(attrs), { format: "json", keys: "keep" })), entries(attrs));
      assertNoPollution();
    }),
    1000,
  );
});

test("decode with only: exactly those attributes of the whole decode, the same error, the same repeated pairs", () => {
  // names as keys are spelled and as attributes are named (Site / site), few (compared in place) or many (looked up)
  const name = fc.constantFrom<string>("site", "Site", "exitCode", "ExitCode", "a", "A", "x.y", "__proto__", "", "k1", "Kk", "é");
  const payload = fc.oneof(
    payloadText,
    fc.array(fc.tuple(name, fc.string({ unit: "grapheme-ascii", maxLength: 6 })), { maxLength: 8 }).map((pairs) => pairs.map(([k, v]) => `${k}:${v}`).join("   ")),
    fc.dictionary(name, fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.dictionary(name, fc.string({ maxLength: 3 }), { maxKeys: 2 })), { maxKeys: 5 }).map((o) => JSON.stringify(o)),
  );
  check(
    fc.property(payload, fc.uniqueArray(name, { maxLength: 12 }), fc.constantFrom(...OPTIONS), (data, wanted, opts) => {
      const only = new Set(wanted);
      const whole = payloadDecoder(opts);
      const some = payloadDecoder(opts);
      const all = (thrown(() => whole.decode(data)) as Error | undefined) ?? whole.decode(data);
      const kept = (thrown(() => some.decode(data, only)) as Error | undefined) ?? some.decode(data, only);
      if (all instanceof Error) return assert.equal(String(kept), String(all));
      assert.equal(entries(kept as Attrs), entries(all).filter(([k]) => only.has(k)));
      // all pairs in order when some key repeats: with only, the pairs kept, when some kept key repeats
      const pairs = whole.repeated?.filter(([k]) => only.has(k));
      assert.equal(some.repeated, pairs && new Set(pairs.map(([k]) => k)).size < pairs.length ? pairs : undefined);
      // the same decoder, asked for all then for some: the set it was given last does not stick
      assert.equal(entries(some.decode(data)), entries(all));
    }),
    2000,
  );
});

test("parse operator: every message is emitted or reported, in order", () => {
  check(
    fc.property(fc.array(payloadText, { maxLength: 30 }), fc.constantFrom(...OPTIONS), (payloads, opts) => {
      const msgs: Message[] = payloads.map((data, i) => ({ time: i, subject: "cms.test", data }));
      const failures: ParseFailure[] = [];
      let out: Message[] = [];
      from(msgs).pipe(parse(opts, (f) => failures.push(f)), toArray()).subscribe((v) => (out = v));
      assert.is(out.length + failures.length, msgs.length);
      const seen = [...out.map((m) => m.time), ...failures.map((f) => f.message.time)].sort((a, b) => a - b);
      assert.equal(seen, msgs.map((m) => m.time));
      for (const f of failures) assert.ok(f.reason.length > 0);
      for (let i = 1; i < out.length; i++) assert.ok(out[i - 1].time < out[i].time, "order kept");
    }),
    500,
  );
});

test("huge payloads (1 MB+): decoded, or refused with a short message", () => {
  const big = "x".repeat(1_200_000);
  assert.is(decodePayload(`site:${big}   a:b`).site, big);
  assert.is(decodePayload(JSON.stringify({ Site: big })).site, big);
  for (const bad of [big, `${big}   a:b`, `{"a":"${big}"`, `k ey:${big}`]) {
    const err = thrown(() => decodePayload(bad));
    assertContained(err, PayloadError, bad.slice(0, 20));
    assert.ok((err as Error).message.length < 200, "message repeats the payload");
  }
  counted(6);
});

test("deep JSON (regression: arrays nested 100,000 deep overflowed the stack in JSON.stringify)", () => {
  const n = 100_000;
  const cases = [
    "{\"a\":".repeat(n) + "1" + "}".repeat(n),
    '{"a":' + "[".repeat(n) + "]".repeat(n) + "}",
    '{"a":[' + "{\"a\":".repeat(5000) + "1" + "}".repeat(5000) + "]}",
    '{"a":' + "[{\"b\":".repeat(n / 2) + "1" + "}]".repeat(n / 2) + "}",
    "[".repeat(n) + "]".repeat(n),
    "{\"a\":".repeat(MAX_JSON_DEPTH + 1) + "1" + "}".repeat(MAX_JSON_DEPTH + 1),
    '{"a":' + "[".repeat(MAX_JSON_DEPTH + 1) + "]".repeat(MAX_JSON_DEPTH + 1) + "}",
  ];
  for (const data of cases) {
    const err = thrown(() => decodePayload(data));
    assertContained(err, PayloadError, data.slice(0, 20));
    assert.ok(err, `accepted ${data.slice(0, 20)}`);
    assert.match((err as Error).message, /nested deeper|not an object|not a key:value pair/);
  }
  // just inside the limit is kept
  const ok = "{\"a\":".repeat(MAX_JSON_DEPTH - 2) + "[[1]]" + "}".repeat(MAX_JSON_DEPTH - 2); // 32 levels in all
  assert.is(Object.values(decodePayload(ok))[0], "[[1]]");
  counted(cases.length + 1);
});

test("an empty JSON key stays empty (regression: camel-casing turned it into \"\\0\")", () => {
  assert.equal(entries(decodePayload('{"":false,"A":1}')), [["", "false"], ["a", "1"]]);
  counted();
});

test("10,000 attributes, NUL bytes and CRLF", () => {
  const pairs = Array.from({ length: 10_000 }, (_, i) => `k${i}:v${i}`);
  assert.is(Object.keys(decodePayload(pairs.join("   "))).length, 10_000);
  assert.is(Object.keys(decodePayload(JSON.stringify(Object.fromEntries(pairs.map((p) => p.split(":")))))).length, 10_000);
  const nul = decodePayload("site:T2\0X   a\0b:\0");
  assert.equal(entries(nul), [["a\0b", "\0"], ["site", "T2\0X"]]);
  assert.is(decodePayload("site:T2\r\n   exitCode:1\r").site, "T2\r\n");
  assert.is(decodePayload('{"Site":"a\\u0000\\r\\n"}').site, "a\0\r\n");
  assertContained(thrown(() => decodePayload("\r\n")), PayloadError, "crlf");
  counted(6);
});

test("an empty separator is refused (regression: it looped forever)", () => {
  const err = thrown(() => decodePayload("a:1", { format: "cms", sep: "" }));
  assert.instance(err, PayloadError);
  assert.match((err as Error).message, /separator/);
  counted();
});

test.run();
