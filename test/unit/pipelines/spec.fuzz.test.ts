/** Property-based tests of the flag and pipeline-file parser and of the filter compiler, regexes included. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Message, newAttrs } from "../../../lib/message.ts";
import { type Condition, compileFilter, FilterError, type FilterOptions } from "../../../operators/filter_by_attribute.ts";
import { flagValue, pipelineFromFile, sinkFromFlag, SpecError, sourceFromFlag, stepFromFlag } from "../../../pipelines/spec.ts";
import { assertContained, assertNoPollution, check, counted, DANGEROUS_KEYS, inputsTried, thrown } from "../../support/fuzz.ts";

/** YAML-ish text: the tokens the grammar cares about, in any order. */
const TOKENS = ["{", "}", "[", "]", ":", ": ", ",", " ", "\n", "\r\n", "\0", '"', "'", "!", "&a ", "*a", "<<: ", "- ", "#", "|", ">", "~", "null", "site", "every", "by", "1m", "10s", "not", "regex", "glob", "in", "eq", "gte", "/^T2/", "/(a+)+/", "T2_*", "cms", "json", "replay", "csv", "console", "format", "path", ...DANGEROUS_KEYS];
const flagText = fc.oneof(fc.string({ unit: "binary", maxLength: 60 }), fc.string({ unit: fc.constantFrom(...TOKENS), maxLength: 25 }));
const KINDS = ["filter", "select", "stats", "parse"] as const;

test("any flag text: a spec or a SpecError naming the flag", () => {
  check(
    fc.property(flagText, fc.constantFrom(...KINDS, "to", "from"), (text, kind) => {
      const err = thrown(() => (kind === "to" ? sinkFromFlag(text) : kind === "from" ? sourceFromFlag(text) : stepFromFlag(kind, text)));
      assertContained(err, SpecError, text);
      if (err) assert.ok((err as Error).message.startsWith(`--${kind}`), (err as Error).message);
      assertNoPollution();
    }),
    2000,
  );
});

test("any pipeline file: a spec or a SpecError naming the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "fuzz-spec-"));
  try {
    const file = join(dir, "p.yaml");
    const line = fc.oneof(flagText, fc.constantFrom("from: replay:x.jsonl", "steps:", "  - filter: {site: T2_*}", "  - stats: 1m", "to: csv:-", "dead_letter: d.jsonl", "__proto__: {polluted: 1}", "to: [console, {record: r.jsonl}]"));
    check(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        writeFileSync(file, lines.join("\n"));
        const err = thrown(() => pipelineFromFile(file));
        assertContained(err, SpecError, lines);
        if (err) assert.ok((err as Error).message.startsWith(file), (err as Error).message);
        assertNoPollution();
      }),
      300,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const scalar = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.double(), fc.boolean());
const textCond = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("!x", "/^T2/", "/(a|b)*/", "/x/g", "/x/zz", "/[/", "T2_*", "*a*", "!*", "/\\p{L}+/u", "/a{1,/"));
const conditionArb: fc.Arbitrary<Condition> = fc.letrec<{ cond: Condition; ops: Condition }>((tie) => ({
  cond: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, textCond, fc.constant(null), tie("ops")),
  ops: fc.record(
    { eq: scalar, ne: scalar, gt: scalar, gte: scalar, lt: scalar, lte: scalar, in: fc.array(scalar, { maxLength: 3 }), exists: fc.boolean(), glob: textCond, regex: textCond, not: tie("cond") },
    { requiredKeys: [] },
  ),
})).cond;
const attrName = fc.oneof(fc.constantFrom(...DANGEROUS_KEYS, "site", "exitCode"), fc.string({ maxLength: 6 }));

test("compileFilter: any well-typed condition compiles or throws FilterError; a compiled filter never throws", () => {
  check(
    fc.property(fc.dictionary(attrName, conditionArb, { maxKeys: 3 }), fc.dictionary(attrName, fc.oneof(fc.string({ maxLength: 10 }), fc.integer()), { maxKeys: 4 }), (opts, values) => {
      let keep: ((m: Message) => boolean) | undefined;
      assertContained(thrown(() => (keep = compileFilter(opts as FilterOptions))), FilterError, opts);
      if (keep) {
        const attrs = newAttrs();
        for (const [k, v] of Object.entries(values)) attrs[k] = v;
        assert.type(keep({ time: 0, subject: "s", data: "", attrs }), "boolean");
        assert.type(keep({ time: 0, subject: "s", data: "" }), "boolean");
      }
      assertNoPollution();
    }),
    1000,
  );
});

/** Regex pieces that backtrack when combined: overlapping atoms, groups, choices, back-references. */
const ATOMS = ["a", "aa", "\\w", "\\d", "\\s", ".", "[a-z]", "[^!]", "\\n", "(a)", "\\1", "(?:a|aa)", "(a|a)", "(?=a)", "x"];
const QUANTS = ["", "", "*", "+", "?", "{2}", "{1,3}", "{0,}", "*?", "{25}"];
const regexArb = fc
  .letrec<{ re: string }>((tie) => ({
    re: fc.oneof(
      { depthSize: "small" },
      fc.tuple(fc.constantFrom(...ATOMS), fc.constantFrom(...QUANTS)).map(([a, q]) => a + q),
      fc.tuple(tie("re"), tie("re")).map(([a, b]) => a + b),
      fc.tuple(tie("re"), fc.constantFrom(...QUANTS), fc.boolean()).map(([a, q, alt]) => `(${alt ? `${a}|a` : a})${q}`),
    ),
  }))
  .re.map((re) => re);
/** 30-character values that make backtracking engines work hardest on the atoms above. */
const ADVERSARIAL = ["a".repeat(29) + "!", "a".repeat(30), "\n".repeat(29) + "!", "1".repeat(29) + " ", " ".repeat(29) + "a", "ab".repeat(15), "x".repeat(29) + "\0"];

test("regex filters: every accepted pattern matches a 30-character adversarial value in < 100 ms", () => {
  let accepted = 0;
  check(
    fc.property(regexArb, fc.constantFrom("", "s", "u", "i", "su"), fc.boolean(), (body, flags, anchored) => {
      const source = anchored ? `^${body}$` : body;
      let keep: ((m: Message) => boolean) | undefined;
      assertContained(thrown(() => (keep = compileFilter({ v: `/${source}/${flags}` }))), FilterError, source);
      if (!keep) return;
      accepted++;
      for (const v of ADVERSARIAL) {
        const attrs = newAttrs();
        attrs.v = v;
        const t = performance.now();
        keep({ time: 0, subject: "s", data: "", attrs });
        const ms = performance.now() - t;
        assert.ok(ms < 100, `/${source}/${flags} took ${ms.toFixed(0)} ms on ${JSON.stringify(v)}`);
      }
    }),
    1500,
  );
  assert.ok(accepted > 100, `only ${accepted} patterns accepted: the generator is not testing much`);
});

test("regex filters: known catastrophic patterns are refused with the reason (regression: these slipped through)", () => {
  const slow = ["(a|a)*", "(a|aa)+", "((a+))+", "(\\w|\\d)*$", "(?:a|a)*", "(.|\\n)*!", "(a?){25}a{25}", "(a*)*", "(\\w+\\s?)+", "(a+){2,}", "(\\1a|a)+", "a*a*a*a*a*a*a*a*b", ".*.*.*.*.*.*.*.*="];
  for (const p of slow) {
    for (const flags of ["", "s", "u"]) {
      const err = thrown(() => compileFilter({ v: `/^${p}$/${flags}` }));
      assert.instance(err, FilterError, p);
      assert.match((err as Error).message, /exponential|polynomial/, p);
    }
  }
  const globs = thrown(() => compileFilter({ v: "*a*a*a*a*a*a*a*!" }));
  assert.instance(globs, FilterError);
  assert.match((globs as Error).message, /at most/);
  // still fine: ordinary patterns of the field
  for (const p of ["^T[12]_(US|CH)_\\w+$", "^/store/.*/RunII.*/.*GEN-SIM.*$", "^(T2|T3)_", "\\p{L}{2,}", "(ab)+c", "^a{1,3}$", "[(]a+[)]+"]) compileFilter({ v: `/${p}/u` });
  counted(slow.length * 3 + 8);
});

test("regex flags g and y are refused (regression: g made test() alternate true/false on equal values)", () => {
  for (const f of ["g", "y", "gi", "v"]) {
    const err = thrown(() => compileFilter({ v: `/T2/${f}` }));
    assert.instance(err, FilterError, f);
    assert.match((err as Error).message, /flag "[gyv]" is not allowed/);
  }
  const keep = compileFilter({ v: "/T2/i" });
  const attrs = newAttrs();
  attrs.v = "t2";
  assert.equal([1, 2, 3].map(() => keep({ time: 0, subject: "s", data: "", attrs })), [true, true, true]);
  counted(5);
});

test("YAML alias bombs, deep nesting and huge values: SpecError with a short message (regression: ReferenceError escaped)", () => {
  const bomb = "[&a [1,1,1,1,1,1,1,1,1,1], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b], &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c], [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]]";
  const cases = [bomb, "site: " + "[".repeat(100_000) + "]".repeat(100_000), "site: " + "{not: ".repeat(100_000) + "1" + "}".repeat(100_000), "site: " + "x".repeat(1_100_000) + ": [", "site: {not: ".repeat(300) + "/(a|a)*/" + "}".repeat(300)];
  for (const text of cases) {
    const err = thrown(() => stepFromFlag("filter", text));
    assertContained(err, SpecError, text.slice(0, 30));
    assert.ok(err, text.slice(0, 30));
    assert.ok((err as Error).message.length < 600, `message of ${(err as Error).message.length} characters`);
  }
  assert.instance(thrown(() => flagValue("--x", bomb)), SpecError);
  const dir = mkdtempSync(join(tmpdir(), "fuzz-spec-"));
  try {
    writeFileSync(join(dir, "bomb.yaml"), `from: replay:x.jsonl\nsteps: ${bomb}\n`);
    assert.instance(thrown(() => pipelineFromFile(join(dir, "bomb.yaml"))), SpecError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  counted(cases.length + 2);
});

test("__proto__ as an attribute or rename is refused, not dropped (regression: the condition vanished)", () => {
  for (const [kind, text] of [["filter", "{__proto__: {eq: 1}, site: x}"], ["filter", "__proto__: x"], ["select", "{__proto__: site, b: c}"]] as const) {
    const err = thrown(() => stepFromFlag(kind, text));
    assert.instance(err, SpecError, text);
    assert.match((err as Error).message, /"__proto__" cannot be used/);
  }
  // other names of Object.prototype are plain attribute names
  const keep = compileFilter(stepFromFlag("filter", "{constructor: {exists: true}, toString: /x/}").config as FilterOptions);
  const attrs = newAttrs();
  assert.is(keep({ time: 0, subject: "s", data: "", attrs }), false);
  for (const k of ["constructor", "toString"]) attrs[k] = k === "toString" ? "x" : "c";
  assert.is(keep({ time: 0, subject: "s", data: "", attrs }), true);
  assertNoPollution();
  counted(5);
});

test("inputs tried", () => {
  console.log(`fuzz: ${inputsTried()} inputs tried in this run (all fuzz files loaded), no crash`);
});

test.run();
