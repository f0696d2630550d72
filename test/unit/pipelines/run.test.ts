/**
 * The runner: counts that add up for every step (in = out + drops + aggregated), an error inside a
 * step routed to the end of the run with every sink flushed, a branch of a sink's own, names no
 * message had reported.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { parse as parseCsv } from "csv-parse/sync";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type RunResult, runPipeline } from "../../../pipelines/run.ts";
import { type PipelineSpec, sinkFromFlag, sourceFromFlag, stepFromFlag } from "../../../pipelines/spec.ts";
import { BEHIND_BYTES } from "../../../sinks/line_writer.ts";
import { ROOT } from "../../support/cli.ts";
import { poll, tempDir } from "../../support/process.ts";
import { type Answer, recordingServer } from "../../support/recording_server.ts";

const dir = tempDir("run");
const input = join(dir.path, "in.jsonl");
const T0 = Date.parse("2026-11-21T13:00:00Z");
const lines = [
  { t: 0, data: "site:T2_US_MIT   exitCode:8028" },
  { t: 1000, data: "site:T1_US_FNAL   exitCode:0" },
  { t: 2000, data: "garbage" },
  { t: 61_000, data: '{"Site":"T2_CH_CERN","ExitCode":50660}' },
  { t: 30_000, data: "site:T2_US_MIT   exitCode:85" }, // late for a 60 s window once 61 s was seen
  { t: 62_000, data: "site:T2_US_MIT   exitCode:8028" },
];
writeFileSync(input, lines.map((l) => JSON.stringify({ time: new Date(T0 + l.t).toISOString(), subject: "cms.wmarchive.exitCode.x", data: l.data })).join("\n") + "\n");

async function run(steps: string[][], to: string[], extra: Partial<PipelineSpec> = {}): Promise<RunResult & { stderr: string; stdout: string }> {
  let stderr = "";
  let stdout = "";
  const spec: PipelineSpec = { from: sourceFromFlag(`replay:${input}`), steps: steps.map(([k, v]) => stepFromFlag(k as "filter", v)), to: to.map(sinkFromFlag), ...extra };
  const result = await runPipeline(spec, {
    signal: new AbortController().signal,
    stdin: Readable.from([]),
    stdout: new PassThrough().on("data", (c: Buffer) => (stdout += c.toString())),
    stderr: new PassThrough().on("data", (c: Buffer) => (stderr += c.toString())),
  });
  return { ...result, stderr, stdout };
}

/** in = out + every drop counter + aggregated, for each step alone and together. */
for (const [name, steps] of [
  ["parse", [["parse", "auto"]]],
  ["filter", [["filter", 'site: "T2_*"']]],
  ["select", [["select", "site"]]],
  ["stats", [["stats", "{every: 60s, by: [site]}"]]],
  ["filter + stats", [["filter", "exitCode: {ne: 0}"], ["stats", "{every: 60s}"]]],
] as [string, string[][]][]) {
  test(`${name}: in = out + the drops + aggregated, each counted under its reason`, async () => {
    const r = await run(steps, ["console:json"]);
    const c = r.report.counts();
    const drops = Object.values(r.report.counts("drop")).reduce((a, b) => a + b, 0);
    const aggregated = c.aggregated ?? 0;
    assert.is(c.in, 6);
    if (aggregated > 0) assert.is(c.in, drops + aggregated, JSON.stringify(c));
    else assert.is(c.in, c.out + drops, JSON.stringify(c));
    assert.is(c.parse_errors, 1);
  });
}

test("stats: a message older than a window already emitted is counted as late, never put in another window", async () => {
  const r = await run([["stats", "{every: 60s}"]], ["console:json"]);
  assert.equal(r.report.counts(), { ...r.report.counts(), in: 6, parse_errors: 1, aggregated: 4, late: 1, out: 2 });
  assert.match(r.report.summary(), "summary in=6 parse_errors=1 aggregated=4 late=1 out=2");
  const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { count: number });
  assert.equal(rows.map((row) => row.count), [2, 2]);
});

test("an error inside a step ends the stream, yet every sink is flushed and the counts are kept", async () => {
  const csv = join(dir.path, "before-error.csv");
  // a window longer than dates reach: its end cannot be written as a time
  const r = await run([["select", "site,exitCode"]], [`csv:${csv}`, "{console: counts, steps: [{stats: {every: 100000001d}}]}"]);
  assert.instance(r.error, RangeError);
  assert.is(r.ok, false);
  const rows = parseCsv(readFileSync(csv), { columns: true }) as unknown[];
  assert.is(rows.length, 5, "every row the CSV got before the error is in the file");
  assert.is(r.report.counts().in, 6);
});

test("a sink's own steps: the console shows every message while its branch counts windows of the same stream", async () => {
  const r = await run([], ["console:values", "{console: counts, steps: [{stats: {every: 60s}}]}"]);
  assert.ok(r.ok, String(r.error));
  assert.is(r.stdout.split("\n").filter((l) => /^T2|^T1|^\d/.test(l)).length, 5);
  assert.match(r.stderr, "count() 2\ncount() 2\n");
});

test("the dead-letter file gets every payload that failed to parse, in the recorded format, and nothing else", async () => {
  const dead = join(dir.path, "dead.jsonl");
  const r = await run([["filter", 'site: "T2_*"']], ["console:json"], { deadLetter: { path: dead, overwrite: false } });
  assert.ok(r.ok, String(r.error));
  const lines = readFileSync(dead, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { data: string; time: string });
  assert.equal(lines.map((l) => [l.data, l.time]), [["garbage", new Date(T0 + 2000).toISOString()]]);
});

test("a name no message had is reported at the end with the nearest name seen", async () => {
  const r = await run([["select", "site,exitcode"]], ["console:json"]);
  assert.match(r.stderr, "exitcode: no message had it; did you mean exitCode?");
});

test("a replay waits for a sink that delivers slowly (its queue half full) instead of dropping; a failing one does not hold it up", async () => {
  const sample = join(ROOT, "samples", "exitcodes-20k.jsonl");
  const slow = await recordingServer(() => new Promise<Answer>((resolve) => setTimeout(() => resolve({ status: 204 }), 2))); // a busy server, not a test pause
  try {
    const spec: PipelineSpec = { from: sourceFromFlag(`replay:${sample}`), steps: [], to: [sinkFromFlag(`victoriametrics: {url: ${slow.url}, batch: 500, queue: 2000}`)] };
    const r = await runPipeline(spec, { signal: new AbortController().signal, stdin: Readable.from([]), stdout: new PassThrough(), stderr: new PassThrough() });
    assert.equal(r.sinks.map((x) => [x.delivered, x.dropped]), [[20_000, 0]]);
    assert.is(slow.requests.length, 40);
  } finally {
    await slow.close();
  }
  const down = `victoriametrics: {url: http://127.0.0.1:9, batch: 500, queue: 2000, retries: 1, backoff: 10ms}`;
  const spec: PipelineSpec = { from: sourceFromFlag(`replay:${sample}`), steps: [], to: [sinkFromFlag(down)] };
  const r = await runPipeline(spec, { signal: new AbortController().signal, stdin: Readable.from([]), stdout: new PassThrough(), stderr: new PassThrough() });
  assert.is(r.report.counts().in, 20_000, "read to the end");
  assert.is(r.sinks[0].dropped, 20_000);
});

for (const [sink, lines] of [["record:-", 20_000], ["csv:-", 20_001], ["console", 20_000]] as const) {
  test(`a replay waits for a stdout nobody reads (a paused pipe) instead of holding the rest of the file as text: ${sink}`, async () => {
    const sample = join(ROOT, "samples", "exitcodes-20k.jsonl"); // 8 MB, twice what a writer may hold
    const stdout = new PassThrough({ highWaterMark: 16 * 1024 }); // read only once the writes have stopped
    const spec: PipelineSpec = { from: sourceFromFlag(`replay:${sample}`), steps: [], to: [sinkFromFlag(sink)] };
    const done = runPipeline(spec, { signal: new AbortController().signal, stdin: Readable.from([]), stdout, stderr: new PassThrough() });
    let last = -1;
    let still = 0;
    await poll("the writes to stop", () => {
      still = stdout.writableLength === last ? still + 1 : 0;
      last = stdout.writableLength;
      return still >= 10;
    }, 30_000, 20);
    assert.ok(last > BEHIND_BYTES && last < BEHIND_BYTES + 512 * 1024, `${last} bytes held`);
    const chunks: Buffer[] = [];
    stdout.on("data", (c: Buffer) => chunks.push(c));
    const r = await done;
    assert.equal(r.sinks.map((x) => [x.delivered, x.dropped]), [[20_000, 0]]);
    assert.is(Buffer.concat(chunks).toString().split("\n").length, lines + 1);
  });
}

test.after(() => dir.remove());

test.run();
