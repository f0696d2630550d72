import * as z from "zod";
import { duration } from "../lib/duration.ts";
import type { Message } from "../lib/message.ts";
import { type BatcherClock, type Fetch, HttpBatcher } from "./http/batcher.ts";
import { deliveryFields, deliveryOptions } from "./http/delivery.ts";
import { LABEL_NAME, labelName, metricFromSubject, VM_METRIC_NAME, vmMetricName } from "./metric_names.ts";
import { type Sink, type SinkContext, sinkKind } from "./sink.ts";

/** The metric of stats rows' counts when the config names none; other measures are `cms_nats_<measure>`. */
export const DEFAULT_METRIC = "cms_nats_count";

const API_PATHS = { import: "/api/v1/import", put: "/api/put" } as const;

export const victoriaMetricsConfig = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: "expected an http(s) URL, e.g. http://localhost:8428" })
    .describe("VictoriaMetrics base URL (the API path is added), or a full endpoint URL; user:password@ becomes Basic auth")
    .meta({ examples: ["http://localhost:8428"] }),
  api: z
    .enum(["import", "put"])
    .default("import")
    .describe("import: JSON lines to /api/v1/import; put: OpenTSDB JSON to /api/put, served only on the -opentsdbHTTPListenAddr port (nats-sub -vmUri)"),
  metric: z
    .string()
    .regex(VM_METRIC_NAME, "a metric name is letters, digits, _, : and ., not starting with a digit")
    .optional()
    .describe(`metric of the counts of stats rows (other measures: <metric>_<measure>), default ${DEFAULT_METRIC}; of plain messages, default the subject without .> and * (as nats-sub -vmUri)`),
  labels: z
    .record(z.string().regex(LABEL_NAME, "a label name is letters, digits and _, not starting with a digit"), z.union([z.string(), z.number()]).transform(String))
    .default({})
    .describe("fixed labels added to every sample, e.g. {worker: host1}; a data label of the same name wins. When workers share the source (a durable consumer, a queue group), worker defaults to host-pid"),
  batch: z.number().int().positive().default(1000).describe("samples per request"),
  flush: duration.prefault("1s").describe("send a partial batch after this long"),
  queue: z.number().int().positive().default(100_000).describe("samples waiting at most (server slow or down); also at most 12 MB of request bodies"),
  ...deliveryFields,
});
export type VictoriaMetricsConfig = z.infer<typeof victoriaMetricsConfig>;

/**
 * Stores messages as samples in VictoriaMetrics. A stats row becomes one sample per measure (the
 * count as `metric`, the others as `<metric>_<measure>`), the window's `by` attributes as labels,
 * timestamp the window end. Any other message becomes a sample of value 1 with its attributes as
 * labels at the message time (as nats-sub -vmUri sent them, but batched). Label names are
 * sanitized; values are kept as they are.
 *
 * @example
 * victoriaMetricsSink({ ...defaults, url: "http://localhost:8428", metric: "exitcodes_by_site" }, ctx)
 */
export function victoriaMetricsSink(config: VictoriaMetricsConfig, ctx: SinkContext, fetchFn: Fetch = fetch, clock?: BatcherClock): Sink {
  const url = new URL(config.url);
  if (url.pathname === "/") url.pathname = API_PATHS[config.api];
  const encode = config.api === "import" ? importLine : putObject;
  // workers sharing a source each label their series, so that sum by (...) adds them up instead of one overwriting another
  const labels = labelEncoder(ctx.worker && config.labels.worker === undefined ? { ...config.labels, worker: ctx.worker } : config.labels);
  const batcher = new HttpBatcher<string>(
    "victoriametrics",
    {
      url: url.toString(),
      method: "POST",
      contentType: "application/json",
      body: config.api === "import" ? (lines) => lines.join("\n") : (objects) => `[${objects.join(",")}]`,
    },
    deliveryOptions(config, { batch: config.batch, flushMs: config.flush, queue: config.queue }),
    ctx.warn,
    clock ?? { scheduler: ctx.scheduler },
    fetchFn,
  );
  const measureMetric = new Map<string, string>();
  const metricOf = (measure: string) => {
    let m = measureMetric.get(measure);
    if (m === undefined) {
      const base = config.metric ?? DEFAULT_METRIC;
      const name = measure === "count" ? base : config.metric ? `${base}_${measure}` : vmMetricName(`cms_nats_${measure}`);
      measureMetric.set(measure, (m = JSON.stringify(name)));
    }
    return m;
  };
  const subjectMetric = config.metric === undefined ? undefined : JSON.stringify(config.metric);
  return {
    name: batcher.name,
    write(msg: Message) {
      const w = msg.window;
      if (w) {
        const rowLabels = labels(w.by, (i) => w.values[i]);
        const measures = Object.keys(w.measures);
        measures.forEach((m, i) => batcher.push(encode(metricOf(m), rowLabels, w.measures[m], w.end), i === measures.length - 1 ? msg.receipts : undefined));
        return;
      }
      const attrs = msg.attrs ?? {};
      const names = Object.keys(attrs);
      batcher.push(encode(subjectMetric ?? JSON.stringify(metricFromSubject(msg.subject)), labels(names, (i) => String(attrs[names[i]])), 1, msg.time), msg.receipts);
    },
    pending: () => batcher.unsent(),
    behind: () => batcher.behind(),
    close: () => batcher.close(),
  };
}

/** Labels as JSON object members, `"site":"T2_US_MIT","env":"prod"`, for names and their values by index. */
type LabelEncoder = (names: readonly string[], value: (i: number) => string) => string;

/**
 * Writes labels straight as JSON text: building an object per message and stringifying it costs
 * twice as much, and this is the per-message path. Sanitized, quoted names are cached (attribute
 * names repeat); fixed labels follow the data labels unless one of them has the same name.
 */
function labelEncoder(fixed: Record<string, string>): LabelEncoder {
  const quoted = new Map<string, string>();
  const quote = (name: string) => {
    let q = quoted.get(name);
    if (q === undefined) {
      q = JSON.stringify(labelName(name));
      if (quoted.size < 10_000) quoted.set(name, q);
    }
    return q;
  };
  const fixedPairs = Object.entries(fixed).map(([name, value]) => [JSON.stringify(name), JSON.stringify(value)]);
  return (names, value) => {
    let out = "";
    const seen = fixedPairs.length > 0 ? new Set<string>() : undefined;
    for (let i = 0; i < names.length; i++) {
      const q = quote(names[i]);
      seen?.add(q);
      out += `,${q}:${JSON.stringify(value(i) ?? "")}`;
    }
    for (const [q, v] of fixedPairs) if (!seen!.has(q)) out += `,${q}:${v}`;
    return out.slice(1);
  };
}

/** `{"metric":{"__name__":..,labels..},"values":[v],"timestamps":[ms]}` (the /api/v1/import format); `metric` is JSON text. */
function importLine(metric: string, labels: string, value: number, time: number): string {
  return `{"metric":{"__name__":${metric}${labels && `,${labels}`}},"values":[${value}],"timestamps":[${time}]}`;
}

/** `{"metric":..,"value":v,"timestamp":ms,"tags":{..}}` (OpenTSDB /api/put, an element of the batch array). */
function putObject(metric: string, labels: string, value: number, time: number): string {
  return `{"metric":${metric},"value":${value},"timestamp":${time},"tags":{${labels}}}`;
}

export const kind = sinkKind({
  name: "victoriametrics",
  description: "samples in VictoriaMetrics: stats rows (each measure by labels) or one sample per message; batched, retried",
  config: victoriaMetricsConfig,
  shorthand: "url",
  examples: [
    "victoriametrics:http://localhost:8428",
    "'victoriametrics: {url: http://localhost:8428, metric: exitcodes_by_site}'",
    "'victoriametrics: {url: http://localhost:4242, api: put}'",
  ],
  accepts: () => ["records", "windows"],
  create: (config, ctx) => victoriaMetricsSink(config, ctx),
});
