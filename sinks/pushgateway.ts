import * as z from "zod";
import type { Message, WindowRow } from "../lib/message.ts";
import { type BatcherClock, type Fetch, HttpBatcher } from "./http/batcher.ts";
import { deliveryFields, deliveryOptions } from "./http/delivery.ts";
import { labelName, METRIC_NAME, metricName } from "./metric_names.ts";
import { type Sink, type SinkContext, sinkKind } from "./sink.ts";

export const pushgatewayConfig = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: "expected an http(s) URL, e.g. http://localhost:9091" })
    .describe("Pushgateway base URL; /metrics/job/<job>[/instance/<instance>] is added; user:password@ becomes Basic auth")
    .meta({ examples: ["http://localhost:9091"] }),
  job: z.string().min(1).default("cms_nats").describe("job label of the grouping key"),
  instance: z.string().min(1).optional().describe("instance label of the grouping key; default, when workers share the source, this worker's host-pid (so their groups add up)"),
  metric: z
    .string()
    .regex(METRIC_NAME, "a metric name is letters, digits, _ and :, not starting with a digit")
    .optional()
    .describe("metric name of the counts; default <job>_count (sanitized); other measures are <job>_<measure>"),
  method: z.enum(["put", "post"]).default("put").describe("put: each window replaces the group, so keys that vanished go; post: replaces same-named metrics only, so with naming: go earlier keys stay"),
  naming: z
    .enum(["labels", "go"])
    .default("labels")
    .describe("labels: one metric per measure, the by attributes as labels; go: one metric per key, <job>_<key> (nats-sub -gatewayUri)"),
  queue: z.number().int().positive().default(100).describe("windows waiting at most (server slow or down; a fast replay closes many at once)"),
  ...deliveryFields,
});
export type PushgatewayConfig = z.infer<typeof pushgatewayConfig>;

/**
 * Pushes each closed stats window to a Prometheus Pushgateway as one request (text format written by
 * prom-client, loaded when the first window is pushed), once its last row is in (the rows say their
 * rank in the window).
 *
 * @example
 * pushgatewaySink({ ...defaults, url: "http://localhost:9091", job: "exitcodes" }, ctx)
 */
export function pushgatewaySink(config: PushgatewayConfig, ctx: SinkContext, fetchFn: Fetch = fetch, clock?: BatcherClock): Sink {
  const batcher = new HttpBatcher<WindowRow[]>(
    "pushgateway",
    {
      url: groupingUrl({ ...config, instance: config.instance ?? ctx.worker }),
      method: config.method === "put" ? "PUT" : "POST",
      contentType: "text/plain; version=0.0.4",
      body: ([rows]) => (config.naming === "go" ? goExposition(rows, config.job) : labelExposition(rows, config)),
      weight: (rows) => rows.length,
      bytes: (rows) => rows.length * 200,
    },
    deliveryOptions(config, { batch: 1, queue: config.queue }),
    ctx.warn,
    clock ?? { scheduler: ctx.scheduler },
    fetchFn,
  );
  let rows: WindowRow[] = [];
  return {
    name: batcher.name,
    write(msg: Message) {
      const w = msg.window!;
      rows.push(w);
      if (w.rank < w.rows - 1) return;
      batcher.push(rows, msg.receipts);
      rows = [];
    },
    pending: () => rows.length + batcher.unsent(),
    behind: () => batcher.behind(),
    close: () => {
      if (rows.length > 0) batcher.push(rows); // a window cut short by the end of the stream
      return batcher.close();
    },
  };
}

/**
 * `<url>/metrics/job/<job>[/instance/<instance>]`. Values are URL-encoded; one holding `/` takes the
 * Pushgateway's `<label>@base64/<base64url>` form, since an encoded `/` is still split on by proxies.
 */
function groupingUrl(config: PushgatewayConfig): string {
  const part = (label: string, value: string) =>
    value.includes("/") ? `/${label}@base64/${Buffer.from(value).toString("base64url")}` : `/${label}/${encodeURIComponent(value)}`;
  const base = config.url.replace(/\/+$/, "");
  return `${base}/metrics${part("job", config.job)}${config.instance ? part("instance", config.instance) : ""}`;
}

/**
 * Labels the grouping key sets: a pushed sample may not carry them with other values, so a `by`
 * attribute of that name is renamed as Prometheus renames on conflicts (`exported_job`).
 */
const GROUPING_LABELS = new Set(["job", "instance"]);

// The text format is written by prom-client (escaping, HELP/TYPE lines, trailing newline).

/** One gauge per measure (the count as `metric`, the others `<job>_<measure>`), a sample per row, the `by` attributes as labels. */
async function labelExposition(rows: readonly WindowRow[], config: PushgatewayConfig): Promise<string> {
  const { Gauge, Registry } = await import("prom-client");
  const registry = new Registry();
  const by = rows[0].by;
  const names = by.map((name) => {
    const label = labelName(name);
    return GROUPING_LABELS.has(label) ? `exported_${label}` : label;
  });
  const gauges = new Map<string, InstanceType<typeof Gauge>>();
  for (const row of rows) {
    const labels = Object.fromEntries(names.map((n, i) => [n, row.values[i]]));
    for (const [measure, value] of Object.entries(row.measures)) {
      let gauge = gauges.get(measure);
      if (!gauge) {
        const name = measure === "count" ? (config.metric ?? metricName(`${config.job}_count`)) : metricName(`${config.job}_${measure}`);
        gauge = new Gauge({ name, help: `${measure} per stats window by ${by.join(", ") || "nothing"} (cms-nats)`, labelNames: names, registers: [registry] });
        gauges.set(measure, gauge);
      }
      gauge.set(labels, value);
    }
  }
  return registry.metrics();
}

/**
 * nats-sub's naming: one gauge per key, `<job>_<key>` sanitized (key: the `by` values joined by
 * `_`, empty for a message without the attribute, as Go keys it; `count` for a window without
 * `by`). Keys that sanitize to one name are summed, since a push may not repeat one.
 */
async function goExposition(rows: readonly WindowRow[], job: string): Promise<string> {
  const { Gauge, Registry } = await import("prom-client");
  const registry = new Registry();
  const sums = new Map<string, number>();
  for (const row of rows) {
    const key = row.by.length === 0 ? "count" : row.values.join("_");
    const name = metricName(`${job}_${key}`);
    sums.set(name, (sums.get(name) ?? 0) + row.measures.count);
  }
  for (const [name, count] of sums) new Gauge({ name, help: `messages per stats window (cms-nats, nats-sub naming)`, registers: [registry] }).set(count);
  return registry.metrics();
}

export const kind = sinkKind({
  name: "pushgateway",
  description: "each stats window pushed to a Prometheus Pushgateway, the by attributes as labels",
  config: pushgatewayConfig,
  shorthand: "url",
  examples: [
    "pushgateway:http://localhost:9091",
    "'pushgateway: {url: http://localhost:9091, job: exitcodes, instance: vocms0123}'",
    "'pushgateway: {url: http://localhost:9091, job: exitcodes, naming: go, method: post}'",
  ],
  accepts: () => ["windows"],
  create: (config, ctx) => pushgatewaySink(config, ctx),
});
