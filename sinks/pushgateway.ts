import { Gauge, Registry } from "prom-client";
import { z } from "zod";
import type { Message } from "../operators/message.ts";
import { type Fetch, HttpBatcher } from "./http_batcher.ts";
import { deliveryFields, deliveryOptions } from "./http_sink.ts";
import { labelName, METRIC_NAME, metricName } from "./metric_names.ts";
import type { Sink, SinkContext, SinkResult } from "./sink.ts";
import { windowRows } from "./window_rows.ts";

export const pushgatewayConfig = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: "expected an http(s) URL, e.g. http://localhost:9091" })
    .describe("Pushgateway base URL; /metrics/job/<job>[/instance/<instance>] is added; user:password@ becomes Basic auth"),
  job: z.string().min(1).default("cms_nats").describe("job label of the grouping key"),
  instance: z.string().min(1).optional().describe("instance label of the grouping key"),
  metric: z
    .string()
    .regex(METRIC_NAME, "a metric name is letters, digits, _ and :, not starting with a digit")
    .optional()
    .describe("metric name of the counts; default <job>_count (sanitized)"),
  method: z.enum(["put", "post"]).default("put").describe("put: each window replaces the group, so keys that vanished go; post: replaces same-named metrics only, so with naming: go earlier keys stay"),
  naming: z
    .enum(["labels", "go"])
    .default("labels")
    .describe("labels: one metric, the by attributes as labels; go: one metric per key, <job>_<key> (nats-sub -gatewayUri)"),
  queue: z.number().int().positive().default(100).describe("windows waiting at most (server slow or down; a fast replay closes many at once)"),
  ...deliveryFields,
});
export type PushgatewayConfig = z.infer<typeof pushgatewayConfig>;

/** The rows of one stats window. */
interface Window {
  end: number;
  by: readonly string[];
  rows: { values: string[]; count: number }[];
}

/**
 * Pushes each closed stats window to a Prometheus Pushgateway as one request (text format), once
 * its rows are all in ({@link windowRows}) or on close. Messages that are not stats
 * rows have no place on a Pushgateway: they are dropped and counted, with one warning.
 *
 * @example
 * pushgatewaySink({ ...defaults, url: "http://localhost:9091", job: "exitcodes" }, ctx)
 */
export function pushgatewaySink(config: PushgatewayConfig, ctx: SinkContext, fetchFn: Fetch = fetch): Sink {
  const metric = config.metric ?? metricName(`${config.job}_count`);
  const batcher = new HttpBatcher<Window>(
    "pushgateway",
    {
      url: groupingUrl(config),
      method: config.method === "put" ? "PUT" : "POST",
      contentType: "text/plain; version=0.0.4",
      body: ([w]) => (config.naming === "go" ? goExposition(w, config.job) : labelExposition(w, metric)),
      weight: (w) => w.rows.length,
    },
    deliveryOptions(config, { batch: 1, queue: config.queue }),
    ctx.warn,
    fetchFn,
  );
  const windows = windowRows((rows) => {
    const { end, by } = rows[0].window!;
    batcher.push({ end, by, rows: rows.map((r) => ({ values: by.map((name) => String(r.attrs?.[name] ?? "")), count: Number(r.attrs?.count ?? 0) })) });
  });
  let plain = 0;
  return {
    name: batcher.name,
    write(msg: Message) {
      if (!msg.window) {
        if (plain++ === 0) ctx.warn(`${batcher.name}: only stats rows can be pushed (add e.g. --stats '{every: 60s, by: [site]}'); other messages are dropped and counted`);
        return;
      }
      windows.add(msg);
    },
    pending: () => windows.held() + batcher.unsent(),
    async close(): Promise<SinkResult> {
      windows.flush();
      const d = await batcher.close();
      if (plain === 0) return d;
      return { ...d, dropped: d.dropped + plain, failure: d.failure ?? `${plain} messages were not stats rows` };
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

/** One gauge `metric` with a sample per row, the `by` attributes as labels. */
function labelExposition(w: Window, metric: string): Promise<string> {
  const registry = new Registry();
  const names = w.by.map((name) => {
    const label = labelName(name);
    return GROUPING_LABELS.has(label) ? `exported_${label}` : label;
  });
  const gauge = new Gauge({ name: metric, help: `messages per stats window by ${w.by.join(", ") || "nothing"} (cms-nats)`, labelNames: names, registers: [registry] });
  for (const row of w.rows) gauge.set(Object.fromEntries(names.map((n, i) => [n, row.values[i]])), row.count);
  return registry.metrics();
}

/**
 * nats-sub's naming: one gauge per key, `<job>_<key>` sanitized (key: the `by` values joined by `_`,
 * `count` without `by`). Keys that sanitize to one name are summed, since a push may not repeat one.
 */
function goExposition(w: Window, job: string): Promise<string> {
  const registry = new Registry();
  const sums = new Map<string, number>();
  for (const row of w.rows) {
    const name = metricName(`${job}_${row.values.join("_") || "count"}`);
    sums.set(name, (sums.get(name) ?? 0) + row.count);
  }
  for (const [name, count] of sums) new Gauge({ name, help: `messages per stats window (cms-nats, nats-sub naming)`, registers: [registry] }).set(count);
  return registry.metrics();
}
