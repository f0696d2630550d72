import { Writable } from "node:stream";
import { lastValueFrom, of, toArray } from "rxjs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { stats } from "../../operators/stats.ts";
import { consoleConfig, consoleSink } from "../../sinks/console.ts";
import { msg } from "../support/marbles.ts";

/** Runs stats rows through a `counts` console sink as one synchronous burst, as the runner does; returns stdout. */
async function printed(by: string[], sites: [number, string][]): Promise<string> {
  const rows = await lastValueFrom(of(...sites.map(([t, site]) => msg(t, { site }))).pipe(stats({ everyMs: 1000, by }), toArray()));
  let out = "";
  const stdout = new Writable({ write: (chunk, _enc, cb) => ((out += chunk), cb()) });
  const sink = consoleSink(consoleConfig.parse({ format: "counts", label: "cms.wmarchive.exitCode.>" }), { stdout, warn: () => {} });
  for (const row of rows) sink.write(row);
  assert.equal(await sink.close(), { delivered: rows.length, dropped: 0 });
  return out;
}

test("counts: nats-sub -showStats -statsBy output, one block per window, values sorted", async () => {
  const out = await printed(["site"], [[100, "T2_US_MIT"], [200, "T1_US_FNAL"], [300, "T2_US_MIT"], [1500, "T2_CH_CERN"]]);
  assert.is(out, [
    "count(cms.wmarchive.exitCode.>) 3",
    "T1_US_FNAL: 1",
    "T2_US_MIT: 2",
    "count(cms.wmarchive.exitCode.>) 1",
    "T2_CH_CERN: 1",
    "",
  ].join("\n"));
});

test("counts without by: the total line only, empty windows as 0", async () => {
  const out = await printed([], [[100, "a"], [2500, "b"]]);
  assert.is(out, "count(cms.wmarchive.exitCode.>) 1\ncount(cms.wmarchive.exitCode.>) 0\ncount(cms.wmarchive.exitCode.>) 1\n");
});

test.run();
