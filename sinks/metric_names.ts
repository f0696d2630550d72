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
 * The metric name the Go `nats-sub -vmUri` derives from a subject: without `.>` and `*`, then
 * sanitized (`cms.wmarchive.exitCode.>` → `cms_wmarchive_exitCode`).
 */
export function metricFromSubject(subject: string): string {
  return metricName(subject.replaceAll(".>", "").replaceAll("*", ""));
}

/**
 * The Pushgateway job the Go `nats-sub -gatewayUri` derives from a subject when `-gatewayJob` is not
 * given: `.` → `_`, `>` → `metric` (`cms.wmarchive.exitCode.>` → `cms_wmarchive_exitCode_metric`).
 */
export function jobFromSubject(subject: string): string {
  return subject.replaceAll(".", "_").replaceAll(">", "metric");
}
