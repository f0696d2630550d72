/**
 * The jetstream source against a real nats-server with JetStream: streams and consumers are made
 * by the test through the client's JetStream API, the pipelines are the built commands. Messages
 * are numbered (`seq:N`), so every output says exactly what was lost and what came twice.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AckPolicy, connect, headers, type JetStreamManager, type NatsConnection, nanos } from "nats";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCliAsync, startCli, summaryCounts } from "../support/cli.ts";
import { type NatsServer, skipWithoutNatsServer, startNatsServer } from "../support/nats_server.ts";
import { poll, skipWithout, tempDir } from "../support/process.ts";
import { payload, seqOf } from "../support/publisher.ts";
import { startVictoriaMetrics, VICTORIA_METRICS } from "../support/victoria_metrics.ts";

const SITES = ["T2_US_MIT", "T1_US_FNAL", "T2_CH_CERN", "T2_DE_DESY", "T3_IT_Trieste"];

interface Js {
  server: NatsServer;
  nc: NatsConnection;
  jsm: JetStreamManager;
  home: string;
  /** Publishes messages `from`..`to` (payload seq) on cms.test.<site> and waits until the stream stores them. */
  publish(from: number, to: number): Promise<void>;
}

/** A JetStream server with a stream CMS on `cms.>`, a client of the test, and a HOME for the commands. */
async function withJetStream(body: (js: Js) => Promise<void>): Promise<void> {
  const server = await startNatsServer({ jetstream: true });
  const home = tempDir("home");
  const nc = await connect({ servers: server.address });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: "CMS", subjects: ["cms.>"] });
    const publish = async (from: number, to: number) => {
      for (let seq = from; seq <= to; seq++) {
        nc.publish(`cms.test.${SITES[seq % SITES.length]}`, payload(seq));
        if (seq % 5000 === 0) await nc.flush(); // keeps the client's buffer small
      }
      await nc.flush();
      await poll(`the stream to store message ${to}`, async () => (await jsm.streams.info("CMS")).state.messages >= to, 30_000);
    };
    await body({ server, nc, jsm, home: home.path, publish });
  } finally {
    await nc.close();
    await server.stop();
    home.remove();
  }
}

/** How often each payload seq appears in a recording. */
function seqCounts(path: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line === "") continue;
    const seq = seqOf((JSON.parse(line) as { data: string }).data);
    counts.set(seq, (counts.get(seq) ?? 0) + 1);
  }
  return counts;
}

const lineCount = (path: string): number => {
  try {
    return readFileSync(path, "utf8").split("\n").length - 1;
  } catch {
    return 0;
  }
};

if (!skipWithoutNatsServer()) {
  test("200,000 stored messages: a recording killed with SIGKILL mid-stream and resumed to caught-up has every one (lost 0, duplicates at most 2%)", () =>
    withJetStream(async ({ server, jsm, home, publish }) => {
      const N = 200_000;
      await publish(1, N);
      // an operator's durable consumer, with a short ack wait so that the dead run's messages come back soon
      await jsm.consumers.add("CMS", { durable_name: "recorder", ack_policy: AckPolicy.Explicit, ack_wait: nanos(2_000), max_ack_pending: -1 });
      const out = join(home, "backfill.jsonl");
      const args = ["record", "cms.>", "-s", server.address, "--stream", "CMS", "--durable", "recorder", "--stop", "caught-up", "-o", out];
      const first = startCli("cms-nats", args, home);
      await poll("the recording to be under way", () => lineCount(out) >= 50_000, 60_000, 5);
      // killed while it holds messages the server delivered and it has not acknowledged (between
      // two batches it may hold none: then nothing comes again, and the redelivery is not tested)
      const held = await poll("the recording to hold messages not acknowledged", async () => {
        first.signal("SIGSTOP");
        // the acks it sent before it stopped may still be on their way (under load, for a while):
        // the server's count is taken once two readings 50 ms apart agree
        let last = "";
        const settled = await poll("the acks sent before it stopped to be in", async () => {
          const info = await jsm.consumers.info("CMS", "recorder");
          const now = `${info.ack_floor.stream_seq} ${info.num_ack_pending}`;
          const same = now === last;
          last = now;
          return same && info;
        }, 10_000, 50);
        if (settled.num_ack_pending > 0) return settled.num_ack_pending;
        first.signal("SIGCONT");
        return false;
      }, 30_000, 5);
      first.signal("SIGKILL");
      await first.exited;
      const before = lineCount(out);
      assert.ok(before < N, `killed mid-stream (${before} lines)`);

      const resumed = await runCliAsync("cms-nats", [...args, "--append"], home);
      assert.is(resumed.code, 0, resumed.stderr);
      assert.match(resumed.stderr, /through durable consumer recorder\n/, "bound the existing durable");
      const counts = summaryCounts(resumed.stderr);
      assert.ok(counts.redelivered > 0, `what the dead run had not acknowledged (${held} at the kill, ${before} lines written) came again, counted: ${resumed.stderr}`);
      const seen = seqCounts(out);
      const lost = [...Array(N).keys()].map((i) => i + 1).filter((seq) => !seen.has(seq));
      const duplicated = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
      assert.equal(lost.slice(0, 10), [], `lost ${lost.length}`);
      assert.is(seen.size, N);
      assert.ok(duplicated <= N * 0.02, `duplicated ${duplicated} of ${N}`);
      assert.is(before + counts.out, N + duplicated, "the resumed run appended to the killed one's file");
      console.log(`    crash and resume: ${before} lines before SIGKILL, ${counts.out} after; lost ${lost.length}, duplicated ${duplicated} (${((100 * duplicated) / N).toFixed(2)}%), ${held} not acknowledged at the kill, redelivered ${counts.redelivered}`);
    }));

  test("deliver by start time: only what was stored since, each with its stored time and subject", () =>
    withJetStream(async ({ server, jsm, home, publish }) => {
      await publish(1, 100);
      const since = Date.parse((await jsm.streams.info("CMS")).state.last_ts) + 1;
      await poll("the clock to pass the start time", () => Date.now() > since); // a condition, not a pause
      await publish(101, 250);
      const r = await runCliAsync("cms-nats", ["record", "cms.>", "-s", server.address, "--stream", "CMS", "--deliver", new Date(since).toISOString(), "--stop", "caught-up", "-o", "-"], home);
      assert.is(r.code, 0, r.stderr);
      assert.match(r.stderr, /ephemeral consumer/);
      const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { time: string; subject: string; data: string });
      assert.equal(lines.map((l) => seqOf(l.data)), [...Array(150).keys()].map((i) => i + 101));
      const stored = await jsm.streams.getMessage("CMS", { seq: 101 });
      assert.is(Date.parse(lines[0].time), stored.time.getTime(), "the message time is the stored time");
      assert.is(lines[0].subject, stored.subject);
    }));

  test("headers are kept: a stored message's headers are in the recording", () =>
    withJetStream(async ({ server, nc, jsm, home }) => {
      const h = headers();
      h.append("Nats-Msg-Id", "job-42");
      h.append("X-Site", "T2_US_MIT");
      nc.publish("cms.test.h", "exitCode:0   site:T2_US_MIT", { headers: h });
      await nc.flush();
      await poll("the stream to store it", async () => (await jsm.streams.info("CMS")).state.messages === 1);
      const r = await runCliAsync("cms-nats", ["record", "cms.>", "-s", server.address, "--stream", "CMS", "--stop", "caught-up", "-o", "-"], home);
      assert.is(r.code, 0, r.stderr);
      const line = JSON.parse(r.stdout) as { headers?: Record<string, string[]> };
      assert.equal(line.headers, { "Nats-Msg-Id": ["job-42"], "X-Site": ["T2_US_MIT"] });
    }));

  test("a consumer deleted under a running pipeline: a clear error, exit 1, and what was acknowledged is in the file", () =>
    withJetStream(async ({ server, jsm, home, publish }) => {
      await publish(1, 2000);
      const out = join(home, "live.jsonl");
      const run = startCli("cms-nats", ["record", "cms.>", "-s", server.address, "--stream", "CMS", "--durable", "doomed", "-o", out], home);
      await poll("the stored messages to be written", () => lineCount(out) >= 2000, 30_000);
      const acked = await poll("the acks to reach the server", async () => {
        const info = await jsm.consumers.info("CMS", "doomed");
        return info.ack_floor.stream_seq === 2000 && info.ack_floor.stream_seq;
      });
      await jsm.consumers.delete("CMS", "doomed");
      assert.is(await run.exited, 1, run.stderr());
      assert.match(run.stderr(), /error: the JetStream consumer doomed of stream CMS was deleted while the run read from it/);
      const seen = seqCounts(out);
      assert.ok([...Array(acked).keys()].every((i) => seen.has(i + 1)), "every acknowledged message is in the file");
      assert.match(run.stderr(), /summary in=2000 out=2000/);
    }));

  test("no stream, no JetStream: errors that say what to do, exit 1", async () => {
    await withJetStream(async ({ server, home }) => {
      const r = await runCliAsync("cms-nats", ["record", "cms.>", "-s", server.address, "--stream", "NOPE", "-o", "-"], home);
      assert.is(r.code, 1);
      assert.match(r.stderr, /there is no JetStream stream NOPE \(create it first, e\.g\. nats stream add NOPE --subjects "cms\.>"\)/);
    });
    const plain = await startNatsServer();
    const home = tempDir("home");
    try {
      const r = await runCliAsync("cms-nats", ["record", "cms.>", "-s", plain.address, "--stream", "CMS", "-o", "-"], home.path);
      assert.is(r.code, 1);
      assert.match(r.stderr, /JetStream is not enabled on this NATS server \(nats-server -js\)/);
    } finally {
      await plain.stop();
      home.remove();
    }
  });

  if (!skipWithout(VICTORIA_METRICS)) {
    test("two workers on one durable share the messages; their per-site stats sum in VictoriaMetrics to exactly the true totals", () =>
      withJetStream(async ({ server, home, publish }) => {
        const N = 60_000;
        await publish(1, N);
        const vm = await startVictoriaMetrics();
        try {
          const args = ["run", "--from", `jetstream: {stream: CMS, durable: workers, stop: caught-up, servers: ${server.address}}`, "--stats", "{every: 60s, by: [site]}", "--to", `victoriametrics: {url: ${vm.url}, metric: js_by_site}`];
          const workers = [startCli("cms-nats", args, home), startCli("cms-nats", args, home)];
          const codes = await Promise.all(workers.map((w) => w.exited));
          assert.equal(codes, [0, 0], workers.map((w) => w.stderr()).join("\n"));
          const shares = workers.map((w) => summaryCounts(w.stderr()).in);
          assert.ok(shares.every((n) => n > 0), `both workers had a share: ${shares}`);
          assert.is(shares[0] + shares[1], N);

          const series = await vm.exportSeries("js_by_site");
          assert.is(new Set(series.map((s) => s.metric.worker)).size, 2, "one worker label per process");
          const truth: Record<string, number> = {};
          for (let seq = 1; seq <= N; seq++) truth[SITES[seq % SITES.length]] = (truth[SITES[seq % SITES.length]] ?? 0) + 1;
          // the README's PromQL: the workers' samples added up by site
          const query = new URLSearchParams({ query: "sum by (site) (sum_over_time(js_by_site[1d]))", time: String(Date.now() / 1000 + 600) });
          const res = (await (await fetch(`${vm.url}/api/v1/query?${query}`)).json()) as { data: { result: { metric: { site: string }; value: [number, string] }[] } };
          const summed = Object.fromEntries(res.data.result.map((r) => [r.metric.site, Number(r.value[1])]));
          assert.equal(summed, truth);
        } finally {
          await vm.stop();
        }
      }));
  }
}

test.run();
