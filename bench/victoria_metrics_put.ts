#!/usr/bin/env -S npx tsx
/**
 * Messages/s into VictoriaMetrics' OpenTSDB /api/put: through the victoriametrics sink (`api: put`,
 * batched, keep-alive) versus one HTTP request per message on a fresh connection, the Go
 * `nats-sub -vmUri` way (it sent each from its own goroutine: here `--concurrency` requests at once).
 * Both in the same run against one victoria-metrics started here on free ports; every sample is
 * read back and counted, so a loss shows. Target (issue 4): the sink ≥ 50 times faster.
 *
 *   npx tsx bench/victoria_metrics_put.ts [--count 100000] [--per-request 5000] [--concurrency 16] [--batch 1000] [--runs 3]
 *
 * Each way runs `--runs` times, alternating; the figures are the median run of each (this box is
 * shared, single runs vary by ±30 %).
 *
 * The server is started with the launcher of the integration tests (test/support), which a bench
 * may share: it is the same real server, started the same way.
 */
import { request } from "node:http";
import { parseArgs } from "node:util";
import { type Message, newAttrs } from "../lib/message.ts";
import { victoriaMetricsConfig, victoriaMetricsSink } from "../sinks/victoria_metrics.ts";
import { sinkContext } from "../test/support/sinks.ts";
import { startVictoriaMetrics } from "../test/support/victoria_metrics.ts";
import { median } from "./median.ts";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "100000" },
    "per-request": { type: "string", default: "5000" },
    concurrency: { type: "string", default: "16" },
    batch: { type: "string", default: "1000" },
    runs: { type: "string", default: "3" },
  },
});
const COUNT = Number(values.count);
const PER_REQUEST = Number(values["per-request"]);
const CONCURRENCY = Number(values.concurrency);
const SITES = ["T1_DE_KIT", "T1_US_FNAL", "T2_CH_CERN", "T2_US_MIT", "T2_US_Caltech", "T2_DE_DESY", "T1_ES_PIC", "T2_IT_Pisa"];
const T0 = Date.parse("2026-11-21T13:00:00Z");

/** A parsed CMS message; times 1 ms apart, so no two samples of a series share a timestamp. */
function message(i: number): Message {
  const attrs = Object.assign(newAttrs(), { exitCode: String([8028, 50660, 139, 85][i % 4]), site: SITES[i % SITES.length] });
  return { time: T0 + i, subject: `cms.wmarchive.exitCode.${attrs.exitCode}`, data: "", attrs };
}

/** One POST of one OpenTSDB object on a new connection (agent: false, no keep-alive), as Go did. */
function putOne(url: URL, msg: Message, metric: string): Promise<void> {
  const body = JSON.stringify({ metric, value: 1, timestamp: msg.time, tags: msg.attrs });
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent: false, headers: { "content-type": "application/json", connection: "close" } }, (res) => {
      res.resume().on("end", () => (res.statusCode! < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on("error", reject).end(body);
  });
}

async function viaSink(url: string, metric: string): Promise<number> {
  const config = victoriaMetricsConfig.parse({ url, api: "put", metric, batch: Number(values.batch), queue: COUNT });
  const sink = victoriaMetricsSink(config, sinkContext({ warn: (t) => console.error(t) }));
  const started = performance.now();
  for (let i = 0; i < COUNT; i++) {
    sink.write(message(i));
    if (i % 1000 === 999) await new Promise(setImmediate); // a stream's pace: chunks, not one burst
  }
  const r = await sink.close(true);
  if (r.delivered !== COUNT) throw new Error(`sink delivered ${r.delivered} of ${COUNT}`);
  return COUNT / ((performance.now() - started) / 1000);
}

async function perRequest(url: string, metric: string): Promise<number> {
  const target = new URL("/api/put", url);
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < PER_REQUEST) await putOne(target, message(next++), metric);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return PER_REQUEST / ((performance.now() - started) / 1000);
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

export interface PutFigures {
  sinkRate: number;
  requestRate: number;
  sinkRates: number[];
  requestRates: number[];
  /** Samples not read back. */
  lost: number;
}

/** Both ways `runs` times, alternating, against one victoria-metrics; every sample read back. */
export async function putFigures(runs = Number(values.runs)): Promise<PutFigures> {
  const vm = await startVictoriaMetrics();
  try {
    const sinkRates: number[] = [];
    const requestRates: number[] = [];
    for (let run = 1; run <= runs; run++) {
      sinkRates.push(await viaSink(vm.opentsdbUrl, `bench_sink_${run}`));
      requestRates.push(await perRequest(vm.opentsdbUrl, `bench_per_request_${run}`));
    }
    let lost = 0;
    for (let run = 1; run <= runs; run++) {
      for (const [metric, sent] of [[`bench_sink_${run}`, COUNT], [`bench_per_request_${run}`, PER_REQUEST]] as const) {
        const stored = (await vm.exportSeries(metric)).reduce((n, s) => n + s.values.length, 0);
        if (stored !== sent) console.error(`${metric}: ${stored} of ${sent} stored`);
        lost += sent - stored;
      }
    }
    return { sinkRate: median(sinkRates), requestRate: median(requestRates), sinkRates, requestRates, lost };
  } finally {
    await vm.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { sinkRate, requestRate, sinkRates, requestRates, lost } = await putFigures();
  console.log(`sink, api: put, batch ${values.batch}: ${fmt(sinkRate)} messages/s   (runs: ${sinkRates.map(fmt).join(", ")}; ${fmt(COUNT)} messages each)`);
  console.log(`one request per message, x${CONCURRENCY} at once, no keep-alive: ${fmt(requestRate)} messages/s   (runs: ${requestRates.map(fmt).join(", ")}; ${fmt(PER_REQUEST)} each)`);
  console.log(`ratio: ${(sinkRate / requestRate).toFixed(1)}x (target >= 50x); ${lost === 0 ? "none lost (every sample read back)" : `${lost} LOST`}; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
  if (lost !== 0) process.exitCode = 1;
}
