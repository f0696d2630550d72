/**
 * Faults survived, each injected against the real servers where they can produce it: nats-server
 * killed and restarted mid-stream, no server at start (--wait-for-server), VictoriaMetrics and the
 * Pushgateway stalled past the timeout or answering 4xx, a 5xx stand-in, a full disk, a closed
 * stdout. Each test checks the in / out / lost figures the process reports, and adds a row to the
 * fault matrix printed at the end.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { connect } from "nats";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { countsByWindowAndSite, recordedMessages } from "../support/sample_counts.ts";
import { runCliAsync, startCli, summaryCounts } from "../support/cli.ts";
import { NATS_SERVER, startNatsServer } from "../support/nats_server.ts";
import { freePort, poll, skipWithout, tempDir } from "../support/process.ts";
import { seqOf, steadyPublisher } from "../support/publisher.ts";
import { PUSHGATEWAY, startPushgateway } from "../support/pushgateway.ts";
import { recordingServer } from "../support/recording_server.ts";
import { stallProxy } from "../support/stall_proxy.ts";
import { startVictoriaMetrics, VICTORIA_METRICS } from "../support/victoria_metrics.ts";

const FILE = "test/integration/faults.test.ts";
const matrix: string[] = [];
/** One row of the fault matrix: messages in, out (per output), reported lost. */
function row(fault: string, name: string, observed: string): void {
  matrix.push(`| ${fault} | \`${FILE}\`: ${name} | ${observed} |`);
}

/** `in` and `out` of a process's summary line. */
function summary(stderr: string): { in: number; out: number } {
  const c = summaryCounts(stderr);
  return { in: c.in, out: c.out };
}

/** `n` CMS payload lines numbered from `from`. */
function lines(n: number, from = 1): string {
  return Array.from({ length: n }, (_, i) => `exitCode:8028   seq:${from + i}   site:T2_US_MIT`).join("\n") + "\n";
}

async function withHome(body: (home: string) => Promise<void>): Promise<void> {
  const home = tempDir("faults");
  try {
    await body(home.path);
  } finally {
    home.remove();
  }
}

/** Data rows of a CSV file (header left out), parsed. */
function csvRows(path: string): Record<string, string>[] {
  return parseCsv(readFileSync(path), { columns: true }) as Record<string, string>[];
}

const haveNats = !skipWithout(NATS_SERVER);
const haveVm = !skipWithout(VICTORIA_METRICS);
const havePg = !skipWithout(PUSHGATEWAY);

if (haveNats) {
  test("nats-server killed and restarted mid-stream: nats-sub reconnects, goes on and reports the gap", () =>
    withHome(async (home) => {
      const server = await startNatsServer();
      const sub = startCli("nats-sub", ["-s", server.address, "--reconnect-wait", "100ms", "-raw", "cms.gap.>"], home);
      const nc = await connect({ servers: server.address, reconnectTimeWait: 50, maxReconnectAttempts: -1 });
      try {
        await sub.waitForStderr(/Listening on/);
        const pub = steadyPublisher(nc, "cms.gap");
        await sub.waitForLines(1000);
        await server.restart(); // SIGKILL, as a crash; the publisher goes on throughout
        await sub.waitForStderr(/Reconnected after \d+(ms|\.\ds) disconnected; subscriptions missed what was published in that gap/);
        const before = sub.stdout().split("\n").length;
        await sub.waitForLines(before + 1000); // keeps going after the reconnect
        sub.signal("SIGINT");
        assert.is(await sub.exited, 0, sub.stderr());
        await pub.stop();

        const got = sub.stdout().trim().split("\n").map(seqOf);
        const { in: n } = summary(sub.stderr());
        assert.is(got.length, n);
        assert.ok(got.every((s, i) => i === 0 || s > got[i - 1]), "in order, no duplicates");
        const last = got[got.length - 1];
        const lost = last - got[0] + 1 - n; // published between its first and last message, never delivered
        assert.match(sub.stderr(), /Disconnected: will attempt reconnects for 1m - error: connection to .* lost/);
        assert.is(summaryCounts(sub.stderr()).reconnects, 1); // the summary counts the reconnect
        const gap = /Reconnected after (\S+) disconnected/.exec(sub.stderr())![1];
        row("nats-server SIGKILLed and restarted mid-stream", "nats-server killed and restarted mid-stream…",
          `published ${last - got[0] + 1} in its span; in=${n}, out=${n} lines; lost ${lost} (at-most-once), reported: \`Disconnected…\`, \`Reconnected after ${gap} disconnected; subscriptions missed…\`; exit 0`);
      } finally {
        sub.signal("SIGKILL");
        await nc.close();
        await server.stop();
      }
    }));

  test("no server at start with --wait-for-server: waits, then subscribes once one comes up", () =>
    withHome(async (home) => {
      const port = await freePort();
      const sub = startCli("nats-sub", ["-s", `127.0.0.1:${port}`, "--wait-for-server", "--reconnect-wait", "100ms", "-raw", "cms.late.>"], home);
      let server: Awaited<ReturnType<typeof startNatsServer>> | undefined;
      try {
        await sub.waitForStderr(/connecting to 127\.0\.0\.1:\d+; waiting for a server to answer/);
        server = await startNatsServer({ port });
        await sub.waitForStderr(/Listening on/);
        const nc = await connect({ servers: server.address });
        for (let i = 1; i <= 100; i++) nc.publish("cms.late.x", `seq:${i}`);
        await nc.drain();
        await sub.waitForLines(100);
        sub.signal("SIGINT");
        assert.is(await sub.exited, 0, sub.stderr());
        assert.is(summary(sub.stderr()).in, 100);
        assert.equal(sub.stdout().trim().split("\n").map(seqOf), Array.from({ length: 100 }, (_, i) => i + 1));
        row("no NATS server at start, `--wait-for-server`", "no server at start with --wait-for-server…", "waited, then in=100, out=100 lines, lost 0; exit 0");
      } finally {
        sub.signal("SIGKILL");
        await server?.stop();
      }
    }));

}

if (haveVm) {
  test("VictoriaMetrics stalled past the timeout: retried until it answers; console and CSV never wait for it", () =>
    withHome(async (home) => {
      const vm = await startVictoriaMetrics();
      const proxy = await stallProxy(vm.url);
      const csv = join(home, "out.csv");
      const sink = `victoriametrics: {url: ${proxy.url}, metric: slow_vm, flush: 20ms, timeout: 300ms, retries: 20, backoff: 20ms}`;
      const run = startCli("cms-nats", ["run", "--from", "stdin", "--parse", "auto", "--to", sink, "--to", `csv:${csv}`, "--to", "console"], home);
      try {
        run.input(lines(50));
        await run.waitForLines(50);
        await run.waitForStderr(/no response within 300ms; retrying up to 20 times/);
        run.input(lines(50, 51));
        await run.waitForLines(100);
        const whileStalled = csvRows(csv).length; // the CSV file is written through too
        assert.is(whileStalled, 100);
        assert.is(proxy.forwarded(), 0, "VictoriaMetrics has seen no request yet");
        proxy.release();
        run.endInput("");
        assert.is(await run.exited, 0, run.stderr());
        assert.match(run.stderr(), /delivering again/);
        // series new to VictoriaMetrics, stamped now, take a moment to become searchable
        const series = await poll("100 samples searchable", async () => ((s) => s.length >= 100 && s)(await vm.exportSeries("slow_vm")), 10_000, 100);
        const stored = series.map((s) => Number(s.metric.seq)).sort((a, b) => a - b);
        assert.equal(stored, Array.from({ length: 100 }, (_, i) => i + 1));
        const { in: n } = summary(run.stderr());
        row("VictoriaMetrics slow (stalled past `timeout`)", "VictoriaMetrics stalled past the timeout…",
          `in=${n}; while stalled: console ${n} lines, CSV ${whileStalled} rows, VM 0; after: VM ${stored.length} samples, lost 0; reported \`no response within 300ms; retrying\`, \`delivering again\`; exit 0`);
      } finally {
        run.signal("SIGKILL");
        await proxy.close();
        await vm.stop();
      }
    }));

  test("VictoriaMetrics answering 400 (api: put on its main port): dropped at once with a count, CSV complete, exit 1", () =>
    withHome(async (home) => {
      const vm = await startVictoriaMetrics();
      const csv = join(home, "out.csv");
      try {
        const r = await runCliAsync("cms-nats", ["run", "--from", "stdin", "--parse", "auto", "--to", `victoriametrics: {url: ${vm.url}, api: put, batch: 40}`, "--to", `csv:${csv}`], home, lines(100));
        assert.is(r.code, 1, r.stderr);
        assert.match(r.stderr, /HTTP 400: .*unsupported path requested: "\/api\/put"; dropped 40 messages \(the total is reported at the end\)/);
        assert.not.match(r.stderr, /retrying/, "a 4xx is not retried");
        assert.match(r.stderr, `error: victoriametrics ${vm.url}/api/put: 100 of 100 messages not delivered; last reason: HTTP 400`);
        assert.is(csvRows(csv).length, 100);
        assert.is(summary(r.stderr).in, 100);
        row("VictoriaMetrics answers 4xx (real server: `api: put` on the main port → 400)", "VictoriaMetrics answering 400…",
          "in=100; CSV 100 rows; VM 0 delivered, 100 dropped, not retried, reported `100 of 100 messages not delivered; last reason: HTTP 400`; exit 1");
      } finally {
        await vm.stop();
      }
    }));
}

if (havePg) {
  test("Pushgateway stalled past the timeout: a live stats pipeline prints its windows meanwhile; every window delivered after", () =>
    withHome(async (home) => {
      const pg = await startPushgateway();
      const proxy = await stallProxy(pg.url);
      const sink = `pushgateway: {url: ${proxy.url}, job: slowpg, timeout: 300ms, retries: 20, backoff: 20ms}`;
      const run = startCli("cms-nats", ["run", "--from", "stdin", "--parse", "auto", "--stats", "{every: 200ms, by: [site]}", "--to", sink, "--to", "console"], home);
      /** The console's stats rows: `window_start window_end site count`. */
      const printed = () => run.stdout().trim().split("\n").filter((l) => l !== "").map((l) => l.split(" "));
      const counted = () => printed().reduce((sum, r) => sum + Number(r[3]), 0);
      try {
        run.input(lines(50));
        await run.waitForStderr(/no response within 300ms; retrying up to 20 times/);
        // the 50 lines may come in two reads, across a window's end: then two windows hold them
        await poll("the windows to be printed while the gateway stalls", () => counted() >= 50, 10_000);
        assert.is(counted(), 50, "the windows were printed while the gateway stalls");
        assert.is(proxy.forwarded(), 0, "the gateway has seen no request yet");
        proxy.release();
        run.endInput(lines(50, 51));
        assert.is(await run.exited, 0, run.stderr());
        assert.match(run.stderr(), /delivering again/);
        const { in: n, out } = summary(run.stderr());
        assert.is(counted(), n);
        const lastEnd = printed().at(-1)![1];
        const lastWindow = printed().filter((r) => r[1] === lastEnd).reduce((sum, r) => sum + Number(r[3]), 0);
        const group = (await pg.groups())[0];
        assert.is(group.metrics.get("slowpg_count")!.samples.reduce((sum, s) => sum + s.value, 0), lastWindow);
        row("Pushgateway slow (stalled past `timeout`), live stats", "Pushgateway stalled past the timeout…",
          `in=${n}; console printed the first window (50) while stalled; ${out} rows all delivered after, lost 0; reported \`no response within 300ms; retrying\`, \`delivering again\`; exit 0`);
      } finally {
        run.signal("SIGKILL");
        await proxy.close();
        await pg.stop();
      }
    }));

  test("Pushgateway answering 400 (metric pushed elsewhere with another type): windows dropped with a count, CSV complete, exit 1", () =>
    withHome(async (home) => {
      const pg = await startPushgateway();
      const csv = join(home, "out.csv");
      const sample = "samples/exitcodes-20k.jsonl";
      const windows = countsByWindowAndSite(recordedMessages(sample), 60_000).size;
      try {
        const clash = await fetch(`${pg.url}/metrics/job/other`, { method: "PUT", body: "# TYPE clash_count counter\nclash_count 1\n" });
        assert.ok(clash.ok);
        const r = await runCliAsync("cms-nats", ["replay", sample, "--stats", "{every: 60s, by: [site]}", "--to", `pushgateway: {url: ${pg.url}, job: clash}`, "--to", `csv:${csv}`], home);
        assert.is(r.code, 1, r.stderr);
        assert.match(r.stderr, /HTTP 400: pushed metrics are invalid or inconsistent with existing metrics/);
        assert.not.match(r.stderr, /retrying/);
        assert.match(r.stderr, `error: pushgateway ${pg.url}/metrics/job/clash: ${windows} of ${windows} messages not delivered; last reason: HTTP 400`);
        assert.is(csvRows(csv).length, windows);
        const { in: n } = summary(r.stderr);
        row("Pushgateway answers 4xx (real server: metric type clash → 400)", "Pushgateway answering 400…",
          `in=${n}, ${windows} rows; CSV ${windows} rows; gateway 0 delivered, ${windows} dropped, not retried, reported; exit 1`);
      } finally {
        await pg.stop();
      }
    }));
}

test("HTTP 5xx (stand-in): 503s are retried and delivered; a server that always answers 500 loses its rows with a count; CSV complete", () =>
  withHome(async (home) => {
    const flaky = await recordingServer((_, n) => ({ status: n <= 2 ? 503 : 204 }));
    const broken = await recordingServer(() => ({ status: 500, body: "internal error" }));
    const csv = join(home, "out.csv");
    const opts = "batch: 50, retries: 2, backoff: 10ms";
    try {
      const r = await runCliAsync("cms-nats", ["run", "--from", "stdin", "--parse", "auto", "--to", `victoriametrics: {url: ${flaky.url}, ${opts}}`, "--to", `victoriametrics: {url: ${broken.url}, ${opts}}`, "--to", `csv:${csv}`], home, lines(200));
      assert.is(r.code, 1, r.stderr);
      const delivered = flaky.requests.slice(2).flatMap((q) => q.body.split("\n")).map((l) => Number(JSON.parse(l).metric.seq));
      assert.equal(delivered.sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i + 1));
      assert.ok(flaky.requests.slice(0, 2).every((q) => q.body === flaky.requests[2].body), "the same batch retried");
      assert.match(r.stderr, `victoriametrics ${flaky.url}/api/v1/import: HTTP 503; retrying up to 2 times`);
      assert.match(r.stderr, `error: victoriametrics ${broken.url}/api/v1/import: 200 of 200 messages not delivered; last reason: HTTP 500: internal error`);
      assert.not.match(r.stderr, `error: victoriametrics ${flaky.url}`);
      assert.is(csvRows(csv).length, 200);
      row("HTTP 5xx (node:http stand-in): 503 twice, then 204 / 500 always", "HTTP 5xx (stand-in)…",
        `in=200; CSV 200 rows; flaky: ${flaky.requests.length} requests, 200 delivered, lost 0; always-500: ${broken.requests.length} requests, 200 dropped, reported \`200 of 200 messages not delivered; last reason: HTTP 500\`; exit 1`);
    } finally {
      await flaky.close();
      await broken.close();
    }
  }));

test("disk full (csv:/dev/full): clear error, exit 1; the record file and the other CSV written alongside are complete and valid", () =>
  withHome(async (home) => {
    const rec = join(home, "rec.jsonl");
    const csv = join(home, "ok.csv");
    const r = await runCliAsync("cms-nats", ["replay", "samples/exitcodes-20k.jsonl", "--to", "csv:/dev/full", "--to", `record:${rec}`, "--to", `csv:${csv}`], home);
    assert.is(r.code, 1, r.stderr);
    const { in: n, out } = summary(r.stderr);
    assert.is(out, n);
    assert.match(r.stderr, new RegExp(`error: csv /dev/full: write failed: ENOSPC: no space left on device, write; 0 of ${n} messages delivered`));
    const recorded = readFileSync(rec, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { subject: string });
    assert.is(recorded.length, n);
    assert.is(csvRows(csv).length, n);
    row("disk full (`--to csv:/dev/full`, ENOSPC)", "disk full (csv:/dev/full)…",
      `in=${n}; /dev/full 0 delivered, ${n} lost (reported \`write failed: ENOSPC…; 0 of ${n} messages delivered\`); record ${recorded.length} valid lines, other CSV ${n} rows; exit 1`);
  }));

test("stdout closed (| head -1) with a CSV alongside: EPIPE fails the console only; the CSV gets every row; exit 1", () =>
  withHome(async (home) => {
    const csv = join(home, "out.csv");
    const run = startCli("cms-nats", ["run", "--from", "stdin", "--parse", "auto", "--to", "console", "--to", `csv:${csv}`], home);
    try {
      run.input(lines(10));
      await run.waitForLines(1);
      run.closeStdout();
      // the console's writes now fail (EPIPE); its next message after that finds it broken
      let sent = 10;
      await poll("the console to be found broken", () => {
        run.input(lines(1, ++sent));
        return /console: failed, the other sinks go on: .*EPIPE/.test(run.stderr());
      }, 15_000, 20);
      run.endInput(lines(200 - sent, sent + 1));
      assert.is(await run.exited, 1, run.stderr());
      const err = run.stderr();
      assert.not.match(err, /Uncaught|    at /, "no stack trace");
      assert.not.match(err, /every sink has failed/);
      const m = /error: console: write to stdout failed: .*EPIPE.*; (\d+) of 200 messages delivered/.exec(err);
      assert.ok(m, err);
      assert.equal(csvRows(csv).map((r) => Number(r.seq)), Array.from({ length: 200 }, (_, i) => i + 1));
      assert.is(summary(err).in, 200);
      row("a sink that throws: console to a closed pipe (EPIPE) next to a CSV", "stdout closed (head -1) with a CSV alongside…",
        `in=200; console delivered ${m[1]}, ${200 - Number(m[1])} lost (reported); CSV 200 rows; exit 1`);
    } finally {
      run.signal("SIGKILL");
    }
  }));

test.after(() => {
  if (matrix.length === 0) return;
  console.log(["", "FAULT MATRIX", "| fault | test | observed (in / out / lost) |", "|---|---|---|", ...matrix, ""].join("\n"));
});

test.run();
