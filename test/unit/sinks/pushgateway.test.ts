import { test } from "uvu";
import * as assert from "uvu/assert";
import { pushgatewayConfig, pushgatewaySink } from "../../../sinks/pushgateway.ts";
import { recordingServer } from "../../support/recording_server.ts";
import { windowOf } from "../../support/rows.ts";
import { sinkContext } from "../../support/sinks.ts";

const T0 = Date.parse("2026-11-21T13:00:00Z");

test("one PUT per window in the text format, once its last row is in; labels escaped, grouping key encoded", async () => {
  const srv = await recordingServer();
  try {
    const sink = pushgatewaySink(pushgatewayConfig.parse({ url: `${srv.url}/`, job: "exit/codes", instance: "vocms 1" }), sinkContext());
    const [a, b] = windowOf(T0, ["site", "job"], [[['a"b\\c\nd', "j"], { count: 3 }], [["T2_US_MIT", "j"], { count: 4, failed: 1 }]]);
    sink.write(a);
    assert.is(sink.pending(), 1, "the window is not complete yet");
    sink.write(b);
    for (const row of windowOf(T0 + 60_000, ["site", "job"], [[["T1_DE_KIT", "j"], { count: 5 }]])) sink.write(row);
    assert.equal(await sink.close(true), { delivered: 3, dropped: 0 });
    const [first, second] = srv.requests;
    assert.is(first.method, "PUT");
    assert.is(first.url, `/metrics/job@base64/${Buffer.from("exit/codes").toString("base64url")}/instance/vocms%201`);
    assert.match(first.body, 'exit_codes_count{site="a\\"b\\\\c\\nd",exported_job="j"} 3\nexit_codes_count{site="T2_US_MIT",exported_job="j"} 4\n');
    assert.match(first.body, '# TYPE exit_codes_failed gauge\nexit_codes_failed{site="T2_US_MIT",exported_job="j"} 1\n');
    assert.match(second.body, /\nexit_codes_count\{site="T1_DE_KIT",exported_job="j"\} 5\n$/);
  } finally {
    await srv.close();
  }
});

test("a worker sharing its source pushes under its own instance (host-pid) by default, so the groups add up", async () => {
  const srv = await recordingServer();
  try {
    const sink = pushgatewaySink(pushgatewayConfig.parse({ url: srv.url, job: "exits" }), sinkContext({ worker: "host-42" }));
    for (const row of windowOf(0, ["site"], [[["T2_US_MIT"], { count: 1 }]])) sink.write(row);
    await sink.close(true);
    assert.is(srv.requests[0].url, "/metrics/job/exits/instance/host-42");
  } finally {
    await srv.close();
  }
});

test("naming: go, one gauge per key named <job>_<key>: keys that sanitize alike summed, a missing value keyed empty, no by as count; POST", async () => {
  const srv = await recordingServer();
  try {
    const sink = pushgatewaySink(pushgatewayConfig.parse({ url: srv.url, job: "cms_x_metric", naming: "go", method: "post" }), sinkContext());
    for (const row of windowOf(T0, ["site"], [[["T2_US_MIT"], { count: 1 }], [["T2.US.MIT"], { count: 2 }], [["8028"], { count: 4 }], [[""], { count: 5 }]])) sink.write(row);
    for (const row of windowOf(T0 + 60_000, [], [[[], { count: 9 }]])) sink.write(row);
    await sink.close(true);
    assert.is(srv.requests[0].method, "POST");
    const samples = (body: string) => body.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    assert.equal(samples(srv.requests[0].body), ["cms_x_metric_T2_US_MIT 3", "cms_x_metric_8028 4", "cms_x_metric_ 5"]);
    assert.equal(samples(srv.requests[1].body), ["cms_x_metric_count 9"]);
  } finally {
    await srv.close();
  }
});

test.run();
