import { lastValueFrom, of, toArray } from "rxjs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { windowStats } from "../../../operators/window_stats.ts";
import { consoleConfig, consoleSink } from "../../../sinks/console.ts";
import { msg, ref } from "../../support/marbles.ts";
import { sinkContext } from "../../support/sinks.ts";

/** Runs stats rows through a `counts` console sink, as nats-sub -showStats does; returns what went to stdout and stderr. */
async function printed(by: string[], sites: [number, string][], time = false): Promise<{ out: string; err: string }> {
  const rows = await lastValueFrom(of(...sites.map(([t, site]) => msg(t, { site }))).pipe(windowStats({ everyMs: 1000, by: by.map(ref) }), toArray()));
  const ctx = sinkContext();
  const sink = consoleSink(consoleConfig.parse({ format: "counts", label: "cms.wmarchive.exitCode.>", time }), ctx);
  for (const row of rows) sink.write(row);
  assert.equal(await sink.close(true), { delivered: rows.length, dropped: 0 });
  return { out: ctx.out(), err: ctx.err() };
}

test("counts: as nats-sub -showStats -statsBy, the count line on stderr, the value lines sorted by their text on stdout", async () => {
  const { out, err } = await printed(["site"], [[100, "T2_US_MIT"], [200, "T1_US_FNAL"], [250, "t3_lower"], [270, ""], [300, "T2_US_MIT"], [1500, "T2_CH_CERN"]]);
  assert.is(err, "count(cms.wmarchive.exitCode.>) 5\ncount(cms.wmarchive.exitCode.>) 1\n");
  assert.is(out, [": 1", "T1_US_FNAL: 1", "T2_US_MIT: 2", "t3_lower: 1", "T2_CH_CERN: 1", ""].join("\n"));
});

test("counts without by: the total line only, empty windows as 0; -t stamps the count line only", async () => {
  const { out, err } = await printed([], [[100, "a"], [2500, "b"]], true);
  assert.is(out, "");
  assert.match(err, /^1970\/01\/01 00:00:01 count\(cms.wmarchive.exitCode.>\) 1\n1970\/01\/01 00:00:02 count\(cms.wmarchive.exitCode.>\) 0\n1970\/01\/01 00:00:03 count\(cms.wmarchive.exitCode.>\) 1\n$/);
});

test("values: each value of a repeated key, in payload order; raw and json", async () => {
  const ctx = sinkContext();
  const values = consoleSink(consoleConfig.parse({}), ctx);
  values.write({ ...msg(0, { site: "A", exitCode: "5" }), pairs: [["site", "A"], ["site", "B"], ["exitCode", "5"]] });
  values.write(msg(0, { exitCode: "60450", site: "T1_FR_CCIN2P3" }));
  await values.close(true);
  assert.is(ctx.out(), "A B 5\n60450 T1_FR_CCIN2P3\n");
  const raw = sinkContext();
  const r = consoleSink(consoleConfig.parse({ format: "raw" }), raw);
  r.write({ time: 0, subject: "cms.x", data: "100% %s" });
  await r.close(true);
  assert.is(raw.out(), "[#1] [cms.x] '100% %s'\n");
});

test.run();
