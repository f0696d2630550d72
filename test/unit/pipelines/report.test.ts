import { PassThrough } from "node:stream";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Report } from "../../../pipelines/report.ts";
import { msg, ref } from "../../support/marbles.ts";

function report(now: () => number = () => 0) {
  let text = "";
  const stderr = new PassThrough().on("data", (c: Buffer) => (text += c.toString()));
  return { r: new Report(stderr, now), lines: () => text.split("\n").filter((l) => l !== "") };
}

const failure = (i: number) => ({ message: { time: 0, subject: "cms.x", data: `bad ${i}` }, reason: "no colon" });

test("parse errors: the first ten of each minute are shown, then one line says the rest are only counted", () => {
  let now = 0;
  const { r, lines } = report(() => now);
  for (let i = 0; i < 25; i++) r.parseFailure(failure(i));
  now = 60_000;
  for (let i = 0; i < 3; i++) r.parseFailure(failure(100 + i));
  const shown = lines();
  assert.is(shown.filter((l) => l.startsWith("parse error on cms.x")).length, 13);
  assert.equal(shown.filter((l) => l.startsWith("more")), ["more parse errors this minute are counted but not shown"]);
  assert.is(r.counts().parse_errors, 28);
});

test("summary: in, every counter that is not zero in the order they were made, out", () => {
  const { r } = report();
  r.in.n = 10;
  r.counter("skipped", "source");
  r.counter("parse_errors", "drop").n = 2;
  r.counter("filtered", "drop").n = 3;
  r.out.n = 5;
  assert.is(r.summary(), "summary in=10 parse_errors=2 filtered=3 out=5");
});

test("names no message had are reported once at the end, with the nearest name seen", () => {
  const { r, lines } = report();
  const typo = ref("exitcode");
  const unused = ref("nothing");
  const good = ref("site");
  const m = msg(0, { site: "x", exitCode: "1" });
  typo.get(m);
  typo.get(m);
  good.get(m);
  r.unmatched([typo, typo, unused, good, ref("time")], new Set(["site", "exitCode"]));
  assert.equal(lines(), ["exitcode: no message had it; did you mean exitCode?"]);
});

test.run();
