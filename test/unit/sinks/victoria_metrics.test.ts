import { test } from "uvu";
import * as assert from "uvu/assert";
import { newAttrs } from "../../../lib/message.ts";
import { victoriaMetricsConfig, victoriaMetricsSink } from "../../../sinks/victoria_metrics.ts";
import { recordingServer } from "../../support/recording_server.ts";
import { windowOf } from "../../support/rows.ts";
import { sinkContext } from "../../support/sinks.ts";

const T0 = Date.parse("2026-11-21T13:00:00Z");

test("import: a stats row is a sample per measure at the window end (count as the metric), a message is 1 at its time", async () => {
  const srv = await recordingServer();
  try {
    const config = victoriaMetricsConfig.parse({ url: srv.url, metric: "exits", labels: { env: "test", site: "overridden" } });
    const sink = victoriaMetricsSink(config, sinkContext());
    for (const row of windowOf(T0, ["site", "exit.code"], [[['T2_"x"', "8028"], { count: 7, failed: 2 }]])) sink.write(row);
    sink.write({ time: T0 + 5, subject: "cms.wmarchive.site.T2.US.MIT", data: "", attrs: Object.assign(newAttrs(), { site: "T2_US_MIT", __name__: "x" }) });
    assert.equal(await sink.close(true), { delivered: 3, dropped: 0 });
    assert.is(srv.requests[0].url, "/api/v1/import");
    assert.equal(srv.requests[0].body.split("\n").map((l) => JSON.parse(l)), [
      { metric: { __name__: "exits", env: "test", site: 'T2_"x"', exit_code: "8028" }, values: [7], timestamps: [T0] },
      { metric: { __name__: "exits_failed", env: "test", site: 'T2_"x"', exit_code: "8028" }, values: [2], timestamps: [T0] },
      { metric: { __name__: "exits", env: "test", site: "T2_US_MIT", _name__: "x" }, values: [1], timestamps: [T0 + 5] },
    ]);
  } finally {
    await srv.close();
  }
});

test("without metric: counts as cms_nats_count, other measures cms_nats_<measure>, messages as their subject (dots kept, as nats-sub -vmUri)", async () => {
  const srv = await recordingServer();
  try {
    const sink = victoriaMetricsSink(victoriaMetricsConfig.parse({ url: srv.url }), sinkContext());
    for (const row of windowOf(T0, [], [[[], { count: 3, distinct_campaign: 2 }]])) sink.write(row);
    sink.write({ time: T0, subject: "cms.wmarchive.exitCode.8028", data: "", attrs: Object.assign(newAttrs(), { site: "x" }) });
    await sink.close(true);
    assert.equal(srv.requests[0].body.split("\n").map((l) => (JSON.parse(l) as { metric: { __name__: string } }).metric.__name__), ["cms_nats_count", "cms_nats_distinct_campaign", "cms.wmarchive.exitCode.8028"]);
  } finally {
    await srv.close();
  }
});

test("workers sharing a source (a durable consumer, a queue group): each labels its samples worker=<host-pid>, unless labels names one", async () => {
  const srv = await recordingServer();
  try {
    for (const labels of [{}, { worker: "vocms0123" }]) {
      const sink = victoriaMetricsSink(victoriaMetricsConfig.parse({ url: srv.url, metric: "m", labels }), sinkContext({ worker: "host-42" }));
      for (const row of windowOf(T0, ["site"], [[["T2_US_MIT"], { count: 1 }]])) sink.write(row);
      await sink.close(true);
    }
    const single = victoriaMetricsSink(victoriaMetricsConfig.parse({ url: srv.url, metric: "m" }), sinkContext());
    for (const row of windowOf(T0, ["site"], [[["T2_US_MIT"], { count: 1 }]])) single.write(row);
    await single.close(true);
    assert.equal(srv.requests.map((r) => (JSON.parse(r.body) as { metric: { worker?: string } }).metric.worker), ["host-42", "vocms0123", undefined]);
  } finally {
    await srv.close();
  }
});

test("the sources that share their messages among workers say so: a durable consumer, a core NATS queue group", async () => {
  const { sources } = await import("../../../pipelines/registry.ts");
  assert.equal([sources.jetstream.shared?.({ durable: "d" } as never), sources.jetstream.shared?.({} as never), sources.nats.shared?.({ queue: "g" } as never), sources.nats.shared?.({} as never)], [true, false, true, false]);
});

test("put: one OpenTSDB JSON array per batch; a full endpoint URL is kept", async () => {
  const srv = await recordingServer();
  try {
    const sink = victoriaMetricsSink(victoriaMetricsConfig.parse({ url: `${srv.url}/custom/put`, api: "put", metric: "m", batch: 2 }), sinkContext());
    for (let i = 0; i < 3; i++) sink.write({ time: T0 + i, subject: "s", data: "", attrs: Object.assign(newAttrs(), { n: String(i) }) });
    await sink.close(true);
    assert.equal(srv.requests.map((r) => [r.url, JSON.parse(r.body)]), [
      ["/custom/put", [{ metric: "m", value: 1, timestamp: T0, tags: { n: "0" } }, { metric: "m", value: 1, timestamp: T0 + 1, tags: { n: "1" } }]],
      ["/custom/put", [{ metric: "m", value: 1, timestamp: T0 + 2, tags: { n: "2" } }]],
    ]);
  } finally {
    await srv.close();
  }
});

test("config: a metric or label name that is not valid is an error, not silently changed; dots are valid metric names", () => {
  assert.not.ok(victoriaMetricsConfig.safeParse({ url: "http://h:8428", metric: "a-b" }).success);
  assert.ok(victoriaMetricsConfig.safeParse({ url: "http://h:8428", metric: "cms.wmarchive.exitCode" }).success);
  assert.not.ok(victoriaMetricsConfig.safeParse({ url: "http://h:8428", labels: { "a:b": "x" } }).success);
  assert.not.ok(victoriaMetricsConfig.safeParse({ url: "ftp://h" }).success);
  assert.is(victoriaMetricsConfig.parse({ url: "http://h:8428", flush: "250ms", backoff: 2 }).backoff, 2000, "bare numbers are seconds, as in stats every");
});

test.run();
