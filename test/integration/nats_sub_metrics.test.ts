/**
 * nats-sub -vmUri and -gatewayUri against the real servers (issue 4 part 3): messages published on a
 * real nats-server reach VictoriaMetrics' OpenTSDB port as the Go tool sent them (metric from the
 * subject without `.>`/`*`, value 1, tags = attributes), every sample read back; stats windows reach
 * the Pushgateway under the Go naming `<job>_<key>` (sanitized) or, with --gatewayNaming labels, as
 * `<job>_count{site=...}`. Deterministic: --count ends the run, so the only stats push is the final
 * flush of one window holding every message (-statsInterval 60).
 */
import { connect } from "nats";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startCli } from "../support/cli.ts";
import { type NatsServer, skipWithoutNatsServer, startNatsServer } from "../support/nats_server.ts";
import { poll, skipWithout, tempDir } from "../support/process.ts";
import { PUSHGATEWAY, startPushgateway } from "../support/pushgateway.ts";
import { startVictoriaMetrics, VICTORIA_METRICS } from "../support/victoria_metrics.ts";

const SUBJECT = "cms.wmarchive.exitCode.>";
const SITES = ["T2_US_MIT", "T1_DE_KIT", "T3_US-Cornell.x"];
const N = 300;

/** Message i: its attributes (a unique seq, so every message is its own series) and its payload. */
function message(i: number) {
  const attrs = { exitCode: String([8028, 50660, 139][i % 3]), seq: String(i), site: SITES[i % SITES.length], task: `/pdmvserv_task_${i % 7}/srm://host:8443/x` };
  const data = Object.entries(attrs).map(([k, v]) => `${k}:${v}`).join("   ");
  return { subject: `cms.wmarchive.exitCode.${attrs.exitCode}`, attrs, data };
}

/** Runs nats-sub with `args` until it has received N messages (it exits by itself), publishing them once it listens. */
async function subAndPublish(server: NatsServer, args: string[]): Promise<string> {
  const home = tempDir("home");
  const sub = startCli("nats-sub", ["-s", server.address, "--count", String(N), ...args, SUBJECT], home.path);
  try {
    await sub.waitForStderr(/Listening on/);
    const nc = await connect({ servers: server.address });
    for (let i = 0; i < N; i++) {
      const m = message(i);
      nc.publish(m.subject, m.data);
    }
    await nc.drain();
    assert.is(await sub.exited, 0, sub.stderr());
    assert.match(sub.stderr(), `summary in=${N} `);
    return sub.stderr();
  } finally {
    sub.signal("SIGKILL");
    home.remove();
  }
}

/** `name{labels} value` lines of a Pushgateway /metrics text for the metrics starting with `prefix`. */
async function pushed(url: string, prefix: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.startsWith(prefix)) out.set(line.slice(0, line.lastIndexOf(" ")), Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return out;
}

const counts = new Map<string, number>();
for (let i = 0; i < N; i++) counts.set(message(i).attrs.site, (counts.get(message(i).attrs.site) ?? 0) + 1);

if (!skipWithoutNatsServer() && !skipWithout(VICTORIA_METRICS)) {
  test("nats-sub -vmUri: every message one sample in VictoriaMetrics, named and tagged as the Go tool did", async () => {
    const [server, vm] = await Promise.all([startNatsServer(), startVictoriaMetrics()]);
    try {
      await subAndPublish(server, ["-vmUri", vm.opentsdbUrl]);
      // samples become searchable a moment after the answer to /api/put (ingestion buffers), even with force_flush
      const series = await poll(`${N} series`, async () => {
        const s = await vm.exportSeries(`{__name__="cms.wmarchive.exitCode"}`);
        return s.length >= N && s;
      }, 10_000, 200);
      assert.is(series.length, N);
      const bySeq = new Map(series.map((s) => [s.metric.seq, s]));
      for (let i = 0; i < N; i++) {
        const s = bySeq.get(String(i));
        assert.ok(s, `sample of message ${i}`);
        assert.equal(s.metric, { __name__: "cms.wmarchive.exitCode", ...message(i).attrs });
        assert.equal(s.values, [1]);
      }
    } finally {
      await Promise.all([server.stop(), vm.stop()]);
    }
  });
}

if (!skipWithoutNatsServer() && !skipWithout(PUSHGATEWAY)) {
  test("nats-sub -gatewayUri: Go naming <job>_<key> (sanitized) with -gatewayJob/-gatewayInstance, and --gatewayNaming labels", async () => {
    const [server, gw] = await Promise.all([startNatsServer(), startPushgateway()]);
    try {
      const go = ["-gatewayUri", gw.url, "-gatewayJob", "exitcodes", "-gatewayInstance", "node1", "-statsBy", "site", "-statsInterval", "60"];
      await subAndPublish(server, go);
      const goSamples = await pushed(gw.url, "exitcodes_");
      assert.equal(
        goSamples,
        new Map([...counts].map(([site, n]) => [`exitcodes_${site.replace(/[^a-zA-Z0-9_:]/g, "_")}{instance="node1",job="exitcodes"}`, n])),
      );

      await subAndPublish(server, ["-gatewayUri", gw.url, "--gatewayNaming", "labels", "-statsBy", "site", "-statsInterval", "60"]);
      const labelled = await pushed(gw.url, "cms_wmarchive_exitCode_metric_count");
      assert.equal(
        labelled,
        new Map([...counts].map(([site, n]) => [`cms_wmarchive_exitCode_metric_count{instance="",job="cms_wmarchive_exitCode_metric",site="${site}"}`, n])),
      );
    } finally {
      await Promise.all([server.stop(), gw.stop()]);
    }
  });
}

test.run();
