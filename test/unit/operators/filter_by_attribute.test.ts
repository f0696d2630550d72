import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Message } from "../../../lib/message.ts";
import { compileFilter, FilterError, type FilterOptions, filterByAttribute } from "../../../operators/filter_by_attribute.ts";
import { msg, ref, testScheduler } from "../../support/marbles.ts";

const a = msg(0, { site: "T2_US_MIT", exitCode: "8028", campaign: "RunIISummer20UL18SIM" });
const b = msg(1, { site: "T1_US_FNAL", exitCode: "50660" });
const c = msg(2, { site: "T2_CH_CERN", exitCode: "85", campaign: "" });

function keeps(opts: FilterOptions, input: Message[] = [a, b, c]): Message[] {
  const test = compileFilter(opts);
  return input.filter(test);
}

test("marble: keeps matching messages in order, completes with the source, reports drops", () => {
  const dropped: Message[] = [];
  testScheduler().run(({ cold, expectObservable }) => {
    const source = cold("a 5ms b 5ms c |", { a, b, c });
    expectObservable(source.pipe(filterByAttribute({ site: "T2_*" }, ref, (m) => dropped.push(m)))).toBe("a 5ms - 5ms c |", { a, c });
  });
  assert.equal(dropped, [b]);
});

test("exact value, number against numeric text, and several conditions ANDed", () => {
  assert.equal(keeps({ site: "T2_US_MIT" }), [a]);
  assert.equal(keeps({ exitCode: 8028 }), [a]);
  assert.equal(keeps({ site: "T2_*", exitCode: { gte: 8000 } }), [a]);
  // numeric text with signs, points, exponents and spaces is a number; empty text is not (it compares as text)
  const numbers = ["-5", "+7", " 12 ", "1e3", ".5", "0012", ""].map((exitCode, i) => msg(i, { exitCode }));
  assert.equal(keeps({ exitCode: { gte: 0 } }, numbers).map((m) => m.attrs!.exitCode), ["+7", " 12 ", "1e3", ".5", "0012"]);
  assert.equal(keeps({ exitCode: { lt: 12 } }, numbers).map((m) => m.attrs!.exitCode), ["-5", "+7", ".5", ""]);
});

test("glob with * and ?, regex with flags", () => {
  assert.equal(keeps({ site: "T?_US_*" }), [a, b]);
  assert.equal(keeps({ site: "/^t1_/i" }), [b]);
  assert.equal(keeps({ site: { regex: "CERN$" } }), [c]);
  assert.equal(keeps({ site: { glob: "*MIT" } }), [a]);
});

test("negation: !value, !glob and {not: ...}", () => {
  assert.equal(keeps({ site: "!T2_US_MIT" }), [b, c]);
  assert.equal(keeps({ site: "!T2_*" }), [b]);
  assert.equal(keeps({ exitCode: { not: { in: [8028, 85] } } }), [b]);
});

test("numeric comparisons compare numbers when both sides are numeric, else text", () => {
  assert.equal(keeps({ exitCode: { gt: 8028 } }), [b]);
  assert.equal(keeps({ exitCode: { lt: 8028 } }), [c]);
  assert.equal(keeps({ exitCode: { lte: 8028, ne: 85 } }), [a]);
  assert.equal(keeps({ site: { gte: "T2" } }), [a, c]);
});

test("in and exists; an absent attribute never matches a value, null matches absent or empty", () => {
  assert.equal(keeps({ exitCode: { in: ["85", 50660] } }), [b, c]);
  assert.equal(keeps({ campaign: { exists: true } }), [a, c]);
  assert.equal(keeps({ campaign: { exists: false } }), [b]);
  assert.equal(keeps({ campaign: "*" }), [a, c]);
  assert.equal(keeps({ campaign: null }), [b, c]);
});

test("names as the payload spells them match; time compares as instants, subject as text", () => {
  assert.equal(keeps({ Site: "T2_*" }), [a, c]);
  assert.equal(keeps({ ExitCode: { gte: 8000 } }), [a, b]);
  const early = msg(Date.parse("2026-11-21T14:00:00Z"), { site: "x" });
  const late = msg(Date.parse("2026-11-21T14:10:00.500Z"), { site: "y" });
  assert.equal(keeps({ time: { gte: "2026-11-21T14:05Z", lt: "2026-11-21T14:10:01Z" } }, [early, late]), [late]);
  // as text, 2026-11-21T14:00:00.000Z is neither 2026-11-21T14:00Z nor after 2026-11-21T14:00:00Z
  assert.equal(keeps({ time: "2026-11-21T14:00Z" }, [early, late]), [early]);
  assert.equal(keeps({ time: { lte: "2026-11-21T14:00:00Z" } }, [early, late]), [early]);
  assert.equal(keeps({ subject: "cms.wmarchive.exitCode.*" }, [a]), [a]);
});

test("bad conditions are refused with the path to the bad part", () => {
  const refused = (opts: FilterOptions, path: (string | number)[]) =>
    assert.throws(() => compileFilter(opts), (e: unknown) => e instanceof FilterError && JSON.stringify(e.path) === JSON.stringify(path));
  refused({ site: "/[/" }, ["site"]);
  refused({ site: { not: { regex: "(a+)+$" } } }, ["site", "not", "regex"]);
  refused({ site: "x".repeat(300) + "*" }, ["site"]);
  refused({ site: {} }, ["site"]);
});

test.run();
