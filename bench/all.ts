#!/usr/bin/env -S npx tsx
/**
 * Every figure in one table (`npm run bench`): replay vs Miller and the naive loop, live vs a bare
 * client, the VictoriaMetrics sink vs one request per message, start-up vs bare node, peak memory
 * with a sink down or slow, JetStream with 1 and 2 workers vs core NATS. Each part is a bench of its
 * own (bench/*.ts, which say how they measure); the targets are the issues'. Takes about 10 minutes.
 * Each row also says how much CPU time the hypervisor took from this machine while it was measured
 * (steal, from /proc/stat): on a shared VM that is what makes one hour's rates half another's.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { jetstreamFigures } from "./jetstream.ts";
import { liveFigures } from "./live.ts";
import { memoryFigures } from "./memory.ts";
import { replayFigures } from "./replay.ts";
import { startupFigures } from "./startup.ts";
import { putFigures } from "./victoria_metrics_put.ts";

interface Row {
  figure: string;
  ours: string;
  anchor: string;
  ratio: string;
  target: string;
  steal: string;
}
const rows: Row[] = [];

/** CPU time (all cores, in ticks) in total and stolen, so far; undefined where /proc/stat is not there. */
function cpuTicks(): { total: number; steal: number } | undefined {
  try {
    const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    return { total: user + nice + system + idle + iowait + irq + softirq + steal, steal };
  } catch {
    return undefined;
  }
}

/** Runs one bench and adds its rows, each with the share of CPU time stolen while it ran. */
async function section<T>(bench: () => Promise<T>, toRows: (result: T) => Omit<Row, "steal">[]): Promise<void> {
  const before = cpuTicks();
  const result = await bench();
  const after = cpuTicks();
  const steal = before && after && after.total > before.total ? `${((100 * (after.steal - before.steal)) / (after.total - before.total)).toFixed(0)}%` : "";
  for (const r of toRows(result)) rows.push({ ...r, steal });
}
const rate = (n: number) => `${Math.round(n).toLocaleString("en-US")} msg/s`;
const x = (n: number) => `${n.toFixed(2)}x`;
const met = (ok: boolean, text: string) => `${text}: ${ok ? "met" : "NOT met"}`;

await section(
  () => replayFigures(1_000_000, 5),
  ({ figures: [ours, naive, miller] }) => [
    { figure: "replay 1M → stats 60s by site → CSV (median of 5)", ours: rate(ours.rate), anchor: `naive Node loop ${rate(naive.rate)}`, ratio: x(ours.rate / naive.rate), target: "" },
    ...(miller ? [{ figure: "", ours: "", anchor: `Miller ${rate(miller.rate)}`, ratio: x(ours.rate / miller.rate), target: met(ours.rate / miller.rate >= 4, "≥ 4x Miller") }] : []),
  ],
);

await section(
  () => liveFigures(200_000, 5),
  (live) => live.slice(1).map((f) => ({ figure: `live 200k unpaced, first publish to exit: ${f.name}`, ours: `${rate(f.rate)}, ${f.cpuMs} ms CPU`, anchor: `bare client ${rate(live[0].rate)}, ${live[0].cpuMs} ms CPU`, ratio: x(f.ratio), target: f.reference ? "(not cms-nats: the work on nats.js's own parser)" : met(f.ratio >= 0.9, "≥ 0.9x") })),
);

await section(
  () => putFigures(3),
  (put) => [{ figure: "VictoriaMetrics sink (api: put, batched)", ours: rate(put.sinkRate), anchor: `one request per message ${rate(put.requestRate)}`, ratio: `${(put.sinkRate / put.requestRate).toFixed(0)}x`, target: met(put.sinkRate / put.requestRate >= 50 && put.lost === 0, "≥ 50x, none lost") }],
);

await section(
  () => startupFigures(11),
  (startup) => startup.slice(1).map((f) => ({ figure: `start-up: ${f.name}`, ours: `${f.medianMs.toFixed(0)} ms`, anchor: `node -e 0 ${startup[0].medianMs.toFixed(0)} ms`, ratio: x(f.ratio), target: f.target ? met(f.ratio <= f.target, `≤ ${f.target}x`) : "" })),
);

await section(
  () => memoryFigures(1_000_000),
  (memory) => memory.map((f) => ({ figure: `memory: ${f.name}`, ours: `peak RSS ${f.rssMB.toFixed(0)} MB`, anchor: "", ratio: "", target: met(f.rssMB < 200, "< 200 MB") })),
);

await section(
  () => jetstreamFigures(200_000),
  (js) => {
    const core = js[js.length - 1];
    return js.slice(0, -1).map((f) => ({ figure: f.name, ours: rate(f.rate), anchor: `core NATS record ${rate(core.rate)}`, ratio: x(f.rate / core.rate), target: "" }));
  },
);

const cores = execFileSync("nproc").toString().trim();
console.log(`\ncms-nats benchmarks, node ${process.version}, ${cores} cores, ${new Date().toISOString()}\n`);
const header: Row = { figure: "figure", ours: "cms-nats", anchor: "anchor", ratio: "ratio", target: "target", steal: "CPU steal" };
const keys = Object.keys(header) as (keyof Row)[];
const width = Object.fromEntries(keys.map((k) => [k, Math.max(...[header, ...rows].map((r) => r[k].length))])) as Record<keyof Row, number>;
const line = (r: Row) => `| ${keys.map((k) => r[k].padEnd(width[k])).join(" | ")} |`;
console.log(line(header));
console.log(`|${keys.map((k) => "-".repeat(width[k] + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
