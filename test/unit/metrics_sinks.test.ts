import { PassThrough } from "node:stream";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Message, newAttrs } from "../../operators/message.ts";
import { jobFromSubject, labelName, metricFromSubject, metricName } from "../../sinks/metric_names.ts";
import { pushgatewayConfig, pushgatewaySink } from "../../sinks/pushgateway.ts";
import type { SinkContext } from "../../sinks/sink.ts";
import { victoriaMetricsConfig, victoriaMetricsSink } from "../../sinks/victoria_metrics.ts";
import { poll } from "../support/process.ts";
import { recordingServer } from "../support/recording_server.ts";

function context(): SinkContext & { warnings: string[] } {
  const warnings: string[] = [];
  return { stdout: new PassThrough(), warn: (t) => warnings.push(t), warnings };
}

const T0 = Date.parse("2026-11-21T13:00:00Z");

function row(end: number, by: Record<string, string>, count: number): Message {
  const attrs = Object.assign(newAttrs(), { window_start: "", window_end: "" }, by, { count });
  return { time: end, subject: "stats", data: "", attrs, window: { start: end - 60_000, end, by: Object.keys(by) } };
}

test("names: data is sanitized to what Prometheus and VictoriaMetrics accept", () => {
  assert.is(metricName("cms.wmarchive.exitCode"), "cms_wmarchive_exitCode");
  assert.is(metricName("8028"), "_8028");
  assert.is(metricName("a:b-c/d"), "a:b_c_d");
  assert.is(labelName("a:b"), "a_b");
  assert.is(labelName("__name__"), "_name__");
  assert.is(labelName("__proto__.polluted"), "_proto___polluted");
  assert.is(labelName("1st"), "_1st");
  assert.is(metricFromSubject("cms.wmarchive.exitCode.>"), "cms_wmarchive_exitCode");
  assert.is(metricFromSubject("cms.*.site.>"), "cms__site");
  assert.is(jobFromSubject("cms.wmarchive.exitCode.>"), "cms_wmarchive_exitCode_metric");
});

test("victoriametrics import: stats rows as count samples at the window end, messages as 1 at their time", async () => {
  const srv = await recordingServer();
  try {
    const config = victoriaMetricsConfig.parse({ url: srv.url, labels: { env: "test", site: "overridden" } });
    const sink = victoriaMetricsSink(config, context());
    sink.write(row(T0, { site: 'T2_"x"', "exit.code": "8028" }, 7));
    sink.write({ time: T0 + 5, subject: "cms.wmarchive.site.T2.US.MIT", data: "", attrs: Object.assign(newAttrs(), { site: "T2_US_MIT", __name__: "x" }) });
    assert.equal(await sink.close(), { delivered: 2, dropped: 0 });
    assert.is(srv.requests[0].url, "/api/v1/import");
    assert.equal(srv.requests[0].body.split("\n").map((l) => JSON.parse(l)), [
      { metric: { __name__: "cms_nats_count", env: "test", site: 'T2_"x"', exit_code: "8028" }, values: [7], timestamps: [T0] },
      { metric: { __name__: "cms_wmarchive_site_T2_US_MIT", env: "test", site: "T2_US_MIT", _name__: "x" }, values: [1], timestamps: [T0 + 5] },
    ]);
  } finally {
    await srv.close();
  }
});

test("victoriametrics put: one OpenTSDB JSON array per batch; a full endpoint URL is kept", async () => {
  const srv = await recordingServer();
  try {
    const sink = victoriaMetricsSink(victoriaMetricsConfig.parse({ url: `${srv.url}/custom/put`, api: "put", metric: "m", batch: 2 }), context());
    for (let i = 0; i < 3; i++) sink.write({ time: T0 + i, subject: "s", data: "", attrs: Object.assign(newAttrs(), { n: String(i) }) });
    await sink.close();
    assert.equal(srv.requests.map((r) => [r.url, JSON.parse(r.body)]), [
      ["/custom/put", [{ metric: "m", value: 1, timestamp: T0, tags: { n: "0" } }, { metric: "m", value: 1, timestamp: T0 + 1, tags: { n: "1" } }]],
      ["/custom/put", [{ metric: "m", value: 1, timestamp: T0 + 2, tags: { n: "2" } }]],
    ]);
  } finally {
    await srv.close();
  }
});

test("victoriametrics config: a metric or label name that is not valid is an error, not silently changed", () => {
  assert.not.ok(victoriaMetricsConfig.safeParse({ url: "http://h:8428", metric: "a.b" }).success);
  assert.not.ok(victoriaMetricsConfig.safeParse({ url: "http://h:8428", labels: { "a:b": "x" } }).success);
  assert.not.ok(victoriaMetricsConfig.safeParse({ url: "ftp://h" }).success);
  assert.is(victoriaMetricsConfig.parse({ url: "http://h:8428", flush: "250ms", backoff: 2 }).backoff, 2000, "bare numbers are seconds, as in stats every");
});

test("pushgateway: one PUT per window in the text format, labels escaped, grouping key encoded", async () => {
  const srv = await recordingServer();
  try {
    const sink = pushgatewaySink(pushgatewayConfig.parse({ url: `${srv.url}/`, job: "exit/codes", instance: "vocms 1" }), context());
    sink.write(row(T0, { site: 'a"b\\c\nd', job: "j" }, 3));
    sink.write(row(T0, { site: "T2_US_MIT", job: "j" }, 4));
    sink.write(row(T0 + 60_000, { site: "T1_DE_KIT", job: "j" }, 5)); // a later window: the first is complete
    await poll("the last window to leave when the burst of rows ends", () => srv.requests.length === 2);
    assert.equal(await sink.close(), { delivered: 3, dropped: 0 });
    const [first, second] = srv.requests;
    assert.is(first.method, "PUT");
    assert.is(first.url, `/metrics/job@base64/${Buffer.from("exit/codes").toString("base64url")}/instance/vocms%201`);
    assert.is(
      first.body,
      "# HELP exit_codes_count messages per stats window by site, job (cms-nats)\n# TYPE exit_codes_count gauge\n" +
        'exit_codes_count{site="a\\"b\\\\c\\nd",exported_job="j"} 3\nexit_codes_count{site="T2_US_MIT",exported_job="j"} 4\n',
    );
    assert.match(second.body, /\nexit_codes_count\{site="T1_DE_KIT",exported_job="j"\} 5\n$/);
  } finally {
    await srv.close();
  }
});

test("pushgateway naming: go — one gauge per key named <job>_<key>, keys that sanitize alike summed; POST", async () => {
  const srv = await recordingServer();
  try {
    const sink = pushgatewaySink(pushgatewayConfig.parse({ url: srv.url, job: "cms_x_metric", naming: "go", method: "post" }), context());
    for (const [site, n] of [["T2_US_MIT", 1], ["T2.US.MIT", 2], ["8028", 4]] as const) sink.write(row(T0, { site }, n));
    await sink.close();
    assert.is(srv.requests[0].method, "POST");
    const samples = srv.requests[0].body.split("\n").filter((l) => l !== "" && !l.startsWith("# HELP"));
    assert.equal(samples, ["# TYPE cms_x_metric_T2_US_MIT gauge", "cms_x_metric_T2_US_MIT 3", "# TYPE cms_x_metric_8028 gauge", "cms_x_metric_8028 4"]);
  } finally {
    await srv.close();
  }
});

test("pushgateway: messages that are not stats rows are dropped, counted and reported once", async () => {
  const ctx = context();
  const sink = pushgatewaySink(pushgatewayConfig.parse({ url: "http://127.0.0.1:9" }), ctx);
  for (let i = 0; i < 3; i++) sink.write({ time: T0, subject: "s", data: "x" });
  assert.equal(await sink.close(), { delivered: 0, dropped: 3, failure: "3 messages were not stats rows" });
  assert.is(ctx.warnings.length, 1);
  assert.match(ctx.warnings[0], "only stats rows can be pushed");
});

test.run();
