import { test } from "uvu";
import * as assert from "uvu/assert";
import { attributeName, decodePayload, encodeCms, PayloadError, payloadDecoder } from "../../../formats/payload.ts";

const plain = (attrs: object) => ({ ...attrs });

test("cms: key is the text before the first colon, value keeps the rest", () => {
  const attrs = decodePayload("site:T2_US_MIT   url:srm://host:8443/path   exitCode:8028");
  assert.equal(plain(attrs), { site: "T2_US_MIT", url: "srm://host:8443/path", exitCode: "8028" });
});

test("cms: custom separator and empty values", () => {
  assert.equal(plain(decodePayload("a:1;b:;c:x y", { format: "cms", sep: ";" })), { a: "1", b: "", c: "x y" });
});

test("cms: a pair without colon, an empty key or a key with white space is an error", () => {
  for (const bad of ["exitCode 8028", ":8028", "exit code:8028", "", "   "]) {
    assert.throws(() => decodePayload(bad, { format: "cms" }), (e: unknown) => e instanceof PayloadError, bad);
  }
});

test("json: nested objects flatten with dotted keys, values kept as text, keys camel-cased", () => {
  const attrs = decodePayload('{"Site":"T2_US_MIT","ExitCode":8028,"Meta":{"Host":"x","n":[1,2]},"ok":true,"none":null}');
  assert.equal(plain(attrs), { site: "T2_US_MIT", exitCode: "8028", "meta.host": "x", "meta.n": "[1,2]", ok: "true", none: "" });
  assert.equal(plain(decodePayload('{"Site":"x"}', { keys: "keep" })), { Site: "x" });
});

test("json: not an object, invalid or nested too deep is an error", () => {
  const deep = "{\"a\":".repeat(40) + "1" + "}".repeat(40);
  for (const bad of ["[1,2]", '{"a":', "{not json}", deep]) {
    assert.throws(() => decodePayload(bad, { format: "json" }), (e: unknown) => e instanceof PayloadError, bad.slice(0, 20));
  }
});

test("auto: JSON when it starts with {, else cms", () => {
  assert.equal(decodePayload('{"Site":"a"}').site, "a");
  assert.equal(decodePayload("site:a").site, "a");
});

test("keys such as __proto__ stay plain attributes", () => {
  const attrs = decodePayload('{"__proto__":{"polluted":"yes"},"constructor":"c"}');
  assert.equal(attrs["__proto__.polluted"], "yes");
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(decodePayload("__proto__:x   constructor:y").constructor, "y");
});

test("encodeCms writes sorted keys that decode back to the same attributes", () => {
  const attrs = decodePayload("site:T2_US_MIT   exitCode:8028   campaign:C");
  assert.is(encodeCms(attrs), "campaign:C   exitCode:8028   site:T2_US_MIT");
  assert.equal(plain(decodePayload(encodeCms(attrs))), plain(attrs));
});

test("cms: the line end that closes a payload is not part of its last value (the Go tool prints one line)", () => {
  assert.equal(plain(decodePayload("exitCode:1   site:X\n")), { exitCode: "1", site: "X" });
  assert.equal(plain(decodePayload("exitCode:1   site:X\r\n")), { exitCode: "1", site: "X" });
  assert.equal(plain(decodePayload("a:x\ny   b:1")), { a: "x\ny", b: "1" }, "a line end inside stays");
});

test("cms: a repeated key keeps its first value (as the Go -statsBy reads it); the decoder lists every pair", () => {
  const d = payloadDecoder();
  assert.equal(plain(d.decode("site:A   site:B   exitCode:5")), { site: "A", exitCode: "5" });
  assert.equal(d.repeated, [["site", "A"], ["site", "B"], ["exitCode", "5"]]);
  d.decode("site:A");
  assert.is(d.repeated, undefined);
});

test("attribute names: what a key written by a user or a producer is called once parsed", () => {
  assert.equal(["ExitCode", "exitCode", "Meta.Host", "_x", ""].map((k) => attributeName(k)), ["exitCode", "exitCode", "meta.host", "_x", ""]);
  assert.is(attributeName("ExitCode", "keep"), "ExitCode");
});

test.run();
