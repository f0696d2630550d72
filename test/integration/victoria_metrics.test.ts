import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sinkFromFlag, sourceFromFlag, stepFromFlag } from "../../pipelines/spec.ts";
import { runCli } from "../support/cli.ts";
import { freePort, poll, skipWithout, tempDir } from "../support/process.ts";
import { countsBySite, countsByWindowAndSite, recordedMessages, runSpec } from "../support/sample_counts.ts";
import { type ExportedSeries, startVictoriaMetrics, VICTORIA_METRICS, type VictoriaMetrics } from "../support/victoria_metrics.ts";

const SAMPLE = "samples/exitcodes-20k.jsonl";
const MALFORMED = "samples/exitcodes-20k-malformed.jsonl";
const truth = recordedMessages(SAMPLE);
/** Short retry settings keep the failure cases fast. */
const FAST = "retries: 2, backoff: 10ms, timeout: 2s";

const statsSpec = (path: string, to: string) =>
  ({ from: sourceFromFlag(`replay:${path}`), steps: [stepFromFlag("stats", "{every: 60s, by: [site]}")], to: [sinkFromFlag(to)] });

async function withServer(fn: (vm: VictoriaMetrics) => Promise<void>): Promise<void> {
  const vm = await startVictoriaMetrics();
  try {
    await fn(vm);
  } finally {
    await vm.stop();
  }
}

/** Every stored sample of the stats metric equals the true count of its (window, site), none missing. */
function assertStatsSamples(series: ExportedSeries[], metric: string): void {
  const stored = new Map<string, number>();
  for (const s of series) {
    assert.is(s.metric.__name__, metric);
    s.timestamps.forEach((t, i) => {
      const key = `${t} ${s.metric.site}`;
      assert.not.ok(stored.has(key), `one sample per (window, site): ${key}`);
      stored.set(key, s.values[i]);
    });
  }
  assert.equal(Object.fromEntries(stored), Object.fromEntries(countsByWindowAndSite(truth, 60_000)));
  const sums = new Map<string, number>();
  for (const s of series) sums.set(s.metric.site, (sums.get(s.metric.site) ?? 0) + s.values.reduce((a, b) => a + b, 0));
  assert.equal(Object.fromEntries(sums), Object.fromEntries(countsBySite(truth)));
}

if (!skipWithout(VICTORIA_METRICS)) {
  test("replay with stats: one sample per (window, site), summing per site to the true totals", () =>
    withServer(async (vm) => {
      const run = runSpec(statsSpec(SAMPLE, `victoriametrics: {url: ${vm.url}, metric: exitcodes_by_site, labels: {source: replay}}`));
      const result = await run.done;
      assert.ok(result.ok, run.stderr());
      const rows = countsByWindowAndSite(truth, 60_000).size;
      assert.equal(result.sinks.map((s) => [s.delivered, s.dropped]), [[rows, 0]]);
      const series = await vm.exportSeries("exitcodes_by_site");
      assert.ok(series.every((s) => s.metric.source === "replay"), "fixed labels on every sample");
      assertStatsSamples(series, "exitcodes_by_site");
    }));

  test("the CLI replaying the malformed sample stores the same samples (exit 0)", () =>
    withServer(async (vm) => {
      const r = runCli("cms-nats", ["replay", MALFORMED, "--stats", "{every: 60s, by: [site]}", "--to", `victoriametrics: {url: ${vm.url}, metric: exitcodes_malformed}`]);
      assert.is(r.code, 0, r.stderr);
      assertStatsSamples(await vm.exportSeries("exitcodes_malformed"), "exitcodes_malformed");
    }));

  test("api: put to the OpenTSDB port: every message a sample of 1 named after its subject (nats-sub -vmUri)", () =>
    withServer(async (vm) => {
      const spec = ({ from: sourceFromFlag(`replay:${SAMPLE}`), steps: [], to: [sinkFromFlag(`victoriametrics: {url: ${vm.opentsdbUrl}, api: put}`)] });
      const run = runSpec(spec);
      assert.ok((await run.done).ok, run.stderr());
      const stored: string[] = [];
      for (const s of await vm.exportSeries('{__name__=~"cms[.]wmarchive[.]exitCode[.].+"}')) {
        assert.ok(s.values.every((v) => v === 1));
        for (const t of s.timestamps) stored.push(`${s.metric.__name__} ${s.metric.site} ${t}`);
      }
      const expected = truth.map((m) => `${m.subject} ${m.site} ${m.time}`); // dots kept, as the Go tool named them
      assert.equal(stored.sort(), expected.sort());
    }));

  test("a server down at start is retried until it comes up: nothing lost", async () => {
    const ports = { http: await freePort(), opentsdb: await freePort() };
    const run = runSpec(statsSpec(SAMPLE, `victoriametrics: {url: http://127.0.0.1:${ports.http}, metric: late, batch: 50, retries: 30, backoff: 20ms}`));
    await poll("the sink to report a retry", () => run.stderr().includes("retrying"));
    const vm = await startVictoriaMetrics(ports);
    try {
      const result = await run.done;
      assert.ok(result.ok, run.stderr());
      assert.match(run.stderr(), /ECONNREFUSED[^\n]*retrying up to 30 times/);
      assert.match(run.stderr(), /delivering again/);
      assertStatsSamples(await vm.exportSeries("late"), "late");
    } finally {
      await vm.stop();
    }
  });

  test("a server that stays down: dropped rows reported, the csv sink gets every row, exit 1", async () => {
    const dir = tempDir("vm-down");
    try {
      const url = `http://user:secret@127.0.0.1:${await freePort()}`;
      const r = runCli("cms-nats", ["replay", SAMPLE, "--stats", "{every: 60s, by: [site]}", "--to", `victoriametrics: {url: ${url}, ${FAST}}`, "--to", `csv:${dir.path}/out.csv`]);
      const rows = countsByWindowAndSite(truth, 60_000);
      assert.is(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`victoriametrics http://\\*\\*\\*@127\\.0\\.0\\.1:\\d+/api/v1/import: ${rows.size} of ${rows.size} messages not delivered; last reason: connect ECONNREFUSED`));
      assert.not.match(r.stderr, /secret/, "credentials never printed");
      const csv = readFileSync(`${dir.path}/out.csv`, "utf8").trim().split("\n").slice(1);
      const written = new Map(csv.map((l) => l.split(",")).map(([, end, site, count]) => [`${Date.parse(end)} ${site}`, Number(count)]));
      assert.equal(Object.fromEntries(written), Object.fromEntries(rows));
    } finally {
      dir.remove();
    }
  });
}

test.run();
