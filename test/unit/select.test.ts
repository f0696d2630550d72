import { test } from "uvu";
import * as assert from "uvu/assert";
import { select } from "../../operators/select.ts";
import { msg, testScheduler, toAttrs } from "../support/marbles.ts";

const a = msg(0, { task: "t", site: "T2_US_MIT", exitCode: "8028" });
const b = msg(1, { Site: "T1_US_FNAL", ExitCode: "50660" });

test("marble: keeps the named attributes in the given order, one output per input", () => {
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold("a 3ms b |", { a, b }).pipe(select(["exitCode", "site"]))).toBe("x 3ms y |", {
      x: { ...a, attrs: toAttrs({ exitCode: "8028", site: "T2_US_MIT" }) },
      y: { ...b, attrs: toAttrs({}) },
    });
  });
});

test("a mapping renames: {newName: attribute}", () => {
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold("b|", { b }).pipe(select({ site: "Site", code: "ExitCode" }))).toBe("y|", {
      y: { ...b, attrs: toAttrs({ site: "T1_US_FNAL", code: "50660" }) },
    });
  });
});

test("select leaves the input message unchanged", () => {
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold("a|", { a }).pipe(select(["site"]))).toBe("x|", { x: { ...a, attrs: toAttrs({ site: "T2_US_MIT" }) } });
  });
  assert.equal(Object.keys(a.attrs!), ["task", "site", "exitCode"]);
});

test.run();
