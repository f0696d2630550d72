import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sinkFromFlag, sourceFromFlag, stepFromFlag } from "../../pipelines/spec.ts";
import { freePort, poll, skipWithout, tempDir } from "../support/process.ts";
import { type Pushgateway, PUSHGATEWAY, startPushgateway } from "../support/pushgateway.ts";
import { countsByWindowAndSite, recordedMessages, runSpec } from "../support/sample_counts.ts";

const SAMPLE = "samples/exitcodes-20k.jsonl";
const truth = recordedMessages(SAMPLE);
const byWindow = countsByWindowAndSite(truth, 60_000);
const ends = [...new Set([...byWindow.keys()].map((k) => Number(k.split(" ")[0])))].sort((a, b) => a - b);

/** Per site, the counts of the window ending at `end`. */
function windowCounts(end: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of byWindow) if (key.startsWith(`${end} `)) out[key.slice(String(end).length + 1)] = n;
  return out;
}
const last = windowCounts(ends[ends.length - 1]);
/** Sites counted in some earlier window but not in the last: a PUT must not leave them behind. */
const vanished = [...new Set([...byWindow.keys()].map((k) => k.split(" ")[1]))].filter((site) => !(site in last));

const statsSpec = (to: string[]) =>
  ({ from: sourceFromFlag(`replay:${SAMPLE}`), steps: [stepFromFlag("stats", "{every: 60s, by: [site]}")], to: to.map(sinkFromFlag) });

async function withServer(fn: (pg: Pushgateway) => Promise<void>, port?: number): Promise<void> {
  const pg = await startPushgateway(port);
  try {
    await fn(pg);
  } finally {
    await pg.stop();
  }
}

/** The one group's samples of `metric`, as site → value. */
async function held(pg: Pushgateway, metric: string): Promise<Record<string, number>> {
  const groups = await pg.groups();
  assert.is(groups.length, 1);
  const m = groups[0].metrics.get(metric);
  assert.ok(m, `${metric} pushed; have ${[...groups[0].metrics.keys()]}`);
  assert.is(m.type, "GAUGE");
  return Object.fromEntries(m.samples.map((s) => [s.labels.site, s.value]));
}

if (!skipWithout(PUSHGATEWAY)) {
  test("after a replay the gateway holds exactly the last window's counts, labelled by site", () =>
    withServer(async (pg) => {
      assert.ok(vanished.length > 0, "the sample has sites missing from its last window");
      const run = runSpec(statsSpec([`pushgateway: {url: ${pg.url}, job: exitcodes, instance: "replay/1"}`]));
      const result = await run.done;
      assert.ok(result.ok, run.stderr());
      assert.equal(result.sinks.map((s) => [s.delivered, s.dropped]), [[byWindow.size, 0]]);
      assert.equal((await pg.groups())[0].labels, { job: "exitcodes", instance: "replay/1" });
      assert.equal(await held(pg, "exitcodes_count"), last);
    }));

  test("naming: go — one metric per key; PUT drops keys of earlier windows, POST keeps them", () =>
    withServer(async (pg) => {
      const job = "cms_wmarchive_exitCode_metric";
      const names = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).map(([site, n]) => [`${job}_${site}`, n]));
      const pushed = async () => {
        const g = (await pg.groups())[0];
        return Object.fromEntries([...g.metrics].map(([name, m]) => [name, m.samples[0].value]));
      };
      assert.ok((await runSpec(statsSpec([`pushgateway: {url: ${pg.url}, job: ${job}, naming: go}`])).done).ok);
      assert.equal(await pushed(), names(last));
      assert.ok((await runSpec(statsSpec([`pushgateway: {url: ${pg.url}, job: ${job}, naming: go, method: post}`])).done).ok);
      const lingering = await pushed();
      for (const site of vanished) assert.ok(`${job}_${site}` in lingering, `${site} kept by POST`);
      assert.equal(Object.fromEntries(Object.entries(lingering).filter(([name]) => name.slice(job.length + 1) in last)), names(last));
    }));

  test("a gateway down at start is retried until it comes up: every window delivered", async () => {
    const port = await freePort();
    const run = runSpec(statsSpec([`pushgateway: {url: http://127.0.0.1:${port}, job: late, queue: 100, retries: 30, backoff: 20ms}`]));
    await poll("the sink to report a retry", () => run.stderr().includes("retrying"));
    await withServer(async (pg) => {
      const result = await run.done;
      assert.ok(result.ok, run.stderr());
      assert.equal(result.sinks.map((s) => [s.delivered, s.dropped]), [[byWindow.size, 0]]);
      assert.equal(await held(pg, "late_count"), last);
    }, port);
  });

  test("a gateway that stays down: the loss is reported, the run is not ok, the csv sink gets every row", async () => {
    const dir = tempDir("pg-down");
    try {
      const url = `http://127.0.0.1:${await freePort()}`;
      const run = runSpec(statsSpec([`pushgateway: {url: ${url}, job: down, retries: 1, backoff: 10ms}`, `csv:${dir.path}/out.csv`]));
      const result = await run.done;
      assert.not.ok(result.ok);
      const [pg, csv] = result.sinks;
      assert.equal([pg.delivered, pg.dropped, pg.error], [0, byWindow.size, undefined]);
      assert.match(pg.failure ?? "", /ECONNREFUSED/);
      assert.equal([csv.delivered, csv.dropped, csv.error], [byWindow.size, 0, undefined]);
      assert.is(readFileSync(`${dir.path}/out.csv`, "utf8").trim().split("\n").length, byWindow.size + 1);
    } finally {
      dir.remove();
    }
  });
}

test.run();
