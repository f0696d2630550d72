/**
 * Metric and label names as Prometheus, the Pushgateway and VictoriaMetrics accept them. Names that
 * come from data (subjects, attribute names, stats keys) are sanitized; names a user writes in a
 * config are checked instead (see {@link METRIC_NAME}), so a typo is reported, not silently changed.
 */

/** What a metric name must look like. */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** What a label name must look like (no `:`; a leading `__` is reserved and is sanitized away). */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** `cms.wmarchive.exitCode` → `cms_wmarchive_exitCode`: every other character becomes `_`. */
export function metricName(text: string): string {
  const name = text.replace(/[^a-zA-Z0-9_:]/g, "_");
  return /^[a-zA-Z_:]/.test(name) ? name : `_${name}`;
}

/** Like {@link metricName} without `:`; `__name__`-style reserved names lose their leading `_`s. */
export function labelName(text: string): string {
  const name = text.replace(/[^a-zA-Z0-9_]/g, "_").replace(/^__+/, "_");
  return /^[a-zA-Z_]/.test(name) ? name : `_${name}`;
}

/**
 * What a VictoriaMetrics metric name may look like: a Prometheus name, and dots too, since
 * VictoriaMetrics stores the names its OpenTSDB and import APIs get as they are, dots included
 * (`cms.wmarchive.exitCode`, which dashboards built on the Go tool query as `{__name__="..."}`).
 */
export const VM_METRIC_NAME = /^[a-zA-Z_:.][a-zA-Z0-9_:.]*$/;

/** {@link metricName}, keeping dots (see {@link VM_METRIC_NAME}). */
export function vmMetricName(text: string): string {
  const name = text.replace(/[^a-zA-Z0-9_:.]/g, "_");
  return /^[a-zA-Z_:.]/.test(name) ? name : `_${name}`;
}

/**
 * The metric name the Go `nats-sub -vmUri` derives from a subject: without `.>`, then without `*`,
 * dots kept (`cms.wmarchive.exitCode.>` → `cms.wmarchive.exitCode`, `cms.*.exitCode.>` → `cms..exitCode`).
 */
export function metricFromSubject(subject: string): string {
  return vmMetricName(subject.replaceAll(".>", "").replaceAll("*", ""));
}

/**
 * The Pushgateway job the Go `nats-sub -gatewayUri` makes of `-gatewayJob`, or of the subject when
 * none is given: `.` → `_`, `>` → `metric` (`cms.wmarchive.exitCode.>` →
 * `cms_wmarchive_exitCode_metric`, `my.job>x` → `my_jobmetricx`).
 */
export function goJobName(text: string): string {
  return text.replaceAll(".", "_").replaceAll(">", "metric");
}
