import { test } from "uvu";
import * as assert from "uvu/assert";
import { goJobName, labelName, metricFromSubject, metricName, vmMetricName } from "../../../sinks/metric_names.ts";

test("names made of data are sanitized to what Prometheus and VictoriaMetrics accept", () => {
  assert.is(metricName("cms.wmarchive.exitCode"), "cms_wmarchive_exitCode");
  assert.is(metricName("8028"), "_8028");
  assert.is(metricName("a:b-c/d"), "a:b_c_d");
  assert.is(labelName("a:b"), "a_b");
  assert.is(labelName("__name__"), "_name__");
  assert.is(labelName("__proto__.polluted"), "_proto___polluted");
  assert.is(labelName("1st"), "_1st");
  assert.is(vmMetricName("a.b/c"), "a.b_c", "VictoriaMetrics keeps dots");
});

test("the Go tool's names: -vmUri metric of a subject keeps its dots; -gatewayJob and subjects: . → _, > → metric", () => {
  assert.is(metricFromSubject("cms.wmarchive.exitCode.>"), "cms.wmarchive.exitCode");
  assert.is(metricFromSubject("cms.*.exitCode.>"), "cms..exitCode");
  assert.is(metricFromSubject("cms.wmarchive.exitCode.8028"), "cms.wmarchive.exitCode.8028");
  assert.is(goJobName("cms.wmarchive.exitCode.>"), "cms_wmarchive_exitCode_metric");
  assert.is(goJobName("my.job>x"), "my_jobmetricx");
});

test.run();
