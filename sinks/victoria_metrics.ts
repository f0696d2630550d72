import { z } from "zod";
import { duration } from "../pipelines/duration.ts";
import type { Attrs, Message } from "../operators/message.ts";
import { type Fetch, HttpBatcher } from "./http_batcher.ts";
import { deliveryFields, deliveryOptions } from "./http_sink.ts";
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
  const labels = labelEncoder(config.labels);
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
    fetchFn,
  );
  return {
    name: batcher.name,
    write(msg) {
      batcher.push(encode(sample(msg, config, labels)));
    },
    pending: () => batcher.unsent(),
    async close(): Promise<SinkResult> {
      return batcher.close();
    },
  };
}

interface Sample {
  /** JSON text of the metric name. */
  metric: string;
  /** The labels as JSON object members, `"site":"T2_US_MIT","env":"prod"`. */
  labels: string;
  value: number;
  /** Epoch milliseconds. */
  time: number;
}

type LabelEncoder = (names: Iterable<string>, attrs: Attrs) => string;

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
  return (names, attrs) => {
    let out = "";
    const seen = fixedPairs.length > 0 ? new Set<string>() : undefined;
    for (const name of names) {
      const q = quote(name);
      seen?.add(q);
      out += `,${q}:${JSON.stringify(String(attrs[name] ?? ""))}`;
    }
    for (const [q, v] of fixedPairs) if (!seen!.has(q)) out += `,${q}:${v}`;
    return out.slice(1);
  };
}

function sample(msg: Message, config: VictoriaMetricsConfig, labels: LabelEncoder): Sample {
  const attrs = msg.attrs ?? {};
  if (msg.window) {
    return { metric: JSON.stringify(config.metric ?? DEFAULT_METRIC), labels: labels(msg.window.by, attrs), value: Number(attrs.count ?? 0), time: msg.window.end };
  }
  return { metric: JSON.stringify(config.metric ?? metricFromSubject(msg.subject)), labels: labels(Object.keys(attrs), attrs), value: 1, time: msg.time };
}

/** `{"metric":{"__name__":..,labels..},"values":[v],"timestamps":[ms]}` (the /api/v1/import format). */
function importLine(s: Sample): string {
  return `{"metric":{"__name__":${s.metric}${s.labels && `,${s.labels}`}},"values":[${s.value}],"timestamps":[${s.time}]}`;
}

/** `{"metric":..,"value":v,"timestamp":ms,"tags":{..}}` (OpenTSDB /api/put, an element of the batch array). */
function putObject(s: Sample): string {
  return `{"metric":${s.metric},"value":${s.value},"timestamp":${s.time},"tags":{${s.labels}}}`;
}
