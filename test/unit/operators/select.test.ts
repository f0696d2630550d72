import { of } from "rxjs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Message } from "../../../lib/message.ts";
import { type Selected, select } from "../../../operators/select.ts";
import { msg, ref, testScheduler, toAttrs } from "../../support/marbles.ts";

const a = msg(0, { task: "t", site: "T2_US_MIT", exitCode: "8028" });
const b = msg(1, { site: "T1_US_FNAL", exitCode: "50660" });
const keep = (...names: string[]): Selected[] => names.map((n) => ({ name: n, ref: ref(n) }));

test("marble: keeps the named attributes in the given order, one output per input", () => {
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold("a 3ms b |", { a, b }).pipe(select({ attributes: keep("exitCode", "site", "campaign") }))).toBe("x 3ms y |", {
      x: { ...a, attrs: toAttrs({ exitCode: "8028", site: "T2_US_MIT" }) },
      y: { ...b, attrs: toAttrs({ exitCode: "50660", site: "T1_US_FNAL" }) },
    });
  });
});

test("names as the payload spells them find the parsed attribute, and name the output as written; renames", () => {
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold("b|", { b }).pipe(select({ attributes: [{ name: "Site", ref: ref("Site") }, { name: "code", ref: ref("ExitCode") }] }))).toBe("y|", {
      y: { ...b, attrs: toAttrs({ Site: "T1_US_FNAL", code: "50660" }) },
    });
  });
});

test("order: payload keeps the payload's order whatever the order given (nats-sub -attrs), each value of a repeated key", () => {
  const dup = { ...msg(2, { site: "A", exitCode: "5" }), pairs: [["site", "A"], ["site", "B"], ["exitCode", "5"]] as [string, string][] };
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold("a d|", { a, d: dup }).pipe(select({ attributes: keep("site", "exitCode"), order: "payload" }))).toBe("x y|", {
      x: { ...a, attrs: toAttrs({ site: "T2_US_MIT", exitCode: "8028" }) },
      y: { ...dup, attrs: toAttrs({ site: "A", exitCode: "5" }), pairs: [["site", "A"], ["site", "B"], ["exitCode", "5"]] },
    });
  });
  const sorted = msg(3, { campaign: "C", exitCode: "60450", site: "T1_FR_CCIN2P3" });
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold("s|", { s: sorted }).pipe(select({ attributes: keep("site", "exitCode"), order: "payload" }))).toBe("x|", {
      x: { ...sorted, attrs: toAttrs({ exitCode: "60450", site: "T1_FR_CCIN2P3" }) },
    });
  });
});

test("order: payload: a message with only the selected attributes, under their names, is its own selection (no copy), and they count as found", () => {
  const own = msg(4, { exitCode: "8028", site: "T2_US_MIT" });
  const attributes = keep("site", "exitCode", "campaign");
  const out: Message[] = [];
  of(own, a).pipe(select({ attributes, order: "payload" })).subscribe((m) => out.push(m));
  assert.is(out[0], own);
  assert.equal(out[1].attrs, toAttrs({ site: "T2_US_MIT", exitCode: "8028" }), "one with more is cut");
  assert.equal(attributes.map((x) => x.ref.found), [true, true, false]);
  const renamed = [{ name: "code", ref: ref("exitCode") }];
  of(msg(5, { exitCode: "1" })).pipe(select({ attributes: renamed, order: "payload" })).subscribe((m) => out.push(m));
  assert.equal(out[2].attrs, toAttrs({ code: "1" }), "a rename is a new message");
});

test("time and subject are attributes: the message's own, time as ISO 8601", () => {
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold("a|", { a }).pipe(select({ attributes: keep("time", "subject", "site") }))).toBe("x|", {
      x: { ...a, attrs: toAttrs({ time: "1970-01-01T00:00:00.000Z", subject: "cms.wmarchive.exitCode.8028", site: "T2_US_MIT" }) },
    });
  });
});

test("select leaves the input message unchanged", () => {
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold("a|", { a }).pipe(select({ attributes: keep("site") }))).toBe("x|", { x: { ...a, attrs: toAttrs({ site: "T2_US_MIT" }) } });
  });
  assert.equal(Object.keys(a.attrs!), ["task", "site", "exitCode"]);
});

test.run();
