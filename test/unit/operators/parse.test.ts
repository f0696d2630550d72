import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Message } from "../../../lib/message.ts";
import { type ParseFailure, parse } from "../../../operators/parse.ts";
import { testScheduler, toAttrs } from "../../support/marbles.ts";

const raw = (time: number, data: string): Message => ({ time, subject: "cms.wmarchive.exitCode.8028", data });

test("marble: parsed messages go on in order; a bad payload is reported and skipped, the stream goes on", () => {
  const a = raw(0, "site:T2_US_MIT   exitCode:8028");
  const bad = raw(1, "exitCode 8028");
  const b = raw(2, '{"Site":"T1_US_FNAL","ExitCode":50660}');
  const failures: ParseFailure[] = [];
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold("a x b |", { a, x: bad, b }).pipe(parse({}, (f) => failures.push(f)))).toBe("a - b |", {
      a: { ...a, attrs: toAttrs({ site: "T2_US_MIT", exitCode: "8028" }) },
      b: { ...b, attrs: toAttrs({ site: "T1_US_FNAL", exitCode: "50660" }) },
    });
  });
  assert.equal(failures, [{ message: bad, reason: '"exitCode 8028" is not a key:value pair' }]);
});

test("format json refuses cms payloads and cms with another separator reads them", () => {
  const failures: ParseFailure[] = [];
  testScheduler().run(({ cold, expectObservable }) => {
    const a = raw(0, "site:X;exitCode:1");
    expectObservable(cold("a|", { a }).pipe(parse({ format: "json" }, (f) => failures.push(f)))).toBe("-|");
    expectObservable(cold("a|", { a }).pipe(parse({ format: "cms", sep: ";" }, (f) => failures.push(f)))).toBe("x|", {
      x: { ...a, attrs: toAttrs({ site: "X", exitCode: "1" }) },
    });
  });
  assert.is(failures.length, 1);
});

test("malformed: keep passes a bad payload on with no attributes, after reporting it", () => {
  const bad = raw(1, "garbage");
  const failures: ParseFailure[] = [];
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold("x|", { x: bad }).pipe(parse({ malformed: "keep" }, (f) => failures.push(f)))).toBe("x|", { x: { ...bad, attrs: toAttrs({}) } });
  });
  assert.is(failures.length, 1);
});

test("a repeated key keeps its first value in attrs, and every pair in order in pairs (the Go tool prints each)", () => {
  const a = raw(0, "site:A   site:B   exitCode:5");
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold("a|", { a }).pipe(parse({}, () => undefined))).toBe("x|", {
      x: { ...a, attrs: toAttrs({ site: "A", exitCode: "5" }), pairs: [["site", "A"], ["site", "B"], ["exitCode", "5"]] },
    });
  });
});

test("the names of the first messages are collected for did-you-mean hints", () => {
  const keysSeen = new Set<string>();
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold("a|", { a: raw(0, '{"Site":"x","ExitCode":1}') }).pipe(parse({ keysSeen }, () => undefined))).toBe("x|", {
      x: { ...raw(0, '{"Site":"x","ExitCode":1}'), attrs: toAttrs({ site: "x", exitCode: "1" }) },
    });
  });
  assert.equal([...keysSeen], ["site", "exitCode"]);
});

test("an exception that is not a payload error goes to the subscriber's error", () => {
  const boom = { time: 0, subject: "s", get data(): string { throw new TypeError("boom"); } } as Message;
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold("a|", { a: boom }).pipe(parse({}, () => undefined))).toBe("#", undefined, new TypeError("boom"));
  });
});

test.run();
