import { z } from "zod";
import { duration } from "../pipelines/duration.ts";
import type { Message } from "../operators/message.ts";
import { deliveryFields, type Fetch, HttpBatcher, settle } from "./http_batcher.ts";
import { LABEL_NAME, labelName, METRIC_NAME, metricFromSubject } from "./metric_names.ts";
import type { Sink, SinkContext, SinkResult } from "./sink.ts";

/** The metric of stats rows when the config names none. */
export const DEFAULT_METRIC = "cms_nats_count";

const API_PATHS = { import: "/api/v1/import", put: "/api/put" } as const;

export const victoriaMetricsConfig = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: "expected an http(s) URL, e.g. http://localhost:8428" })
    .describe("VictoriaMetrics base URL (the API path is added), or a full endpoint URL; user:password@ becomes Basic auth"),
  api: z
    .enum(["import", "put"])
    .default("import")
    .describe("import: JSON lines to /api/v1/import; put: OpenTSDB JSON to /api/put, served only on the -opentsdbHTTPListenAddr port (nats-sub -vmUri)"),
  metric: z
    .string()
    .regex(METRIC_NAME, "a metric name is letters, digits, _ and :, not starting with a digit")
    .optional()
    .describe(`metric name; default ${DEFAULT_METRIC} for stats rows, the subject (without .> and *, sanitized) for messages`),
  labels: z
    .record(z.string().regex(LABEL_NAME, "a label name is letters, digits and _, not starting with a digit"), z.union([z.string(), z.number()]).transform(String))
    .default({})
    .describe("fixed labels added to every sample, e.g. {source: nats}; a data label of the same name wins"),
  batch: z.number().int().positive().default(1000).describe("samples per request"),
  flush: duration.default(1000).describe("send a partial batch after this long, e.g. 1s"),
  queue: z.number().int().positive().default(100_000).describe("samples waiting at most (server slow or down)"),
  ...deliveryFields,
});
export type VictoriaMetricsConfig = z.infer<typeof victoriaMetricsConfig>;

/**
 * Stores messages as samples in VictoriaMetrics. A stats row becomes one sample: value `count`, the
 * window's `by` attributes as labels, timestamp the window end. Any other message becomes a sample
 * of value 1 with its attributes as labels at the message time (as nats-sub -vmUri sent them, but
 * batched). Label names are sanitized; values are kept as they are.
 *
 * @example
 * victoriaMetricsSink({ ...defaults, url: "http://localhost:8428", metric: "exitcodes_by_site" }, ctx)
 */
export function victoriaMetricsSink(config: VictoriaMetricsConfig, ctx: SinkContext, fetchFn: Fetch = fetch): Sink {
  const url = new URL(config.url);
  if (url.pathname === "/") url.pathname = API_PATHS[config.api];
  const encode = config.api === "import" ? importLine : putObject;
  const batcher = new HttpBatcher<string>(
    "victoriametrics",
    {
      url: url.toString(),
      method: "POST",
      contentType: "application/json",
      body: config.api === "import" ? (lines) => lines.join("\n") : (objects) => `[${objects.join(",")}]`,
    },
    {
      batch: Math.min(config.batch, config.queue),
      flushMs: config.flush,
      queue: config.queue,
      drop: config.drop,
      retries: config.retries,
      backoffMs: config.backoff,
      timeoutMs: config.timeout,
    },
    ctx.warn,
    fetchFn,
  );
  return {
    name: batcher.name,
    write(msg) {
      batcher.push(encode(sample(msg, config)));
    },
    async close(): Promise<SinkResult> {
      return settle(batcher.name, await batcher.close());
    },
  };
}

interface Sample {
  metric: string;
  labels: Record<string, string>;
  value: number;
  /** Epoch milliseconds. */
  time: number;
}

function sample(msg: Message, config: VictoriaMetricsConfig): Sample {
  const labels: Record<string, string> = Object.assign(Object.create(null), config.labels);
  const attrs = msg.attrs ?? {};
  if (msg.window) {
    for (const name of msg.window.by) labels[labelName(name)] = String(attrs[name] ?? "");
    return { metric: config.metric ?? DEFAULT_METRIC, labels, value: Number(attrs.count ?? 0), time: msg.window.end };
  }
  for (const name in attrs) labels[labelName(name)] = String(attrs[name]);
  return { metric: config.metric ?? metricFromSubject(msg.subject), labels, value: 1, time: msg.time };
}

/** `{"metric":{"__name__":..,labels..},"values":[v],"timestamps":[ms]}` (the /api/v1/import format). */
function importLine(s: Sample): string {
  return JSON.stringify({ metric: { __name__: s.metric, ...s.labels }, values: [s.value], timestamps: [s.time] });
}

/** `{"metric":..,"value":v,"timestamp":ms,"tags":{..}}` (OpenTSDB /api/put, an element of the batch array). */
function putObject(s: Sample): string {
  return JSON.stringify({ metric: s.metric, value: s.value, timestamp: s.time, tags: s.labels });
}
