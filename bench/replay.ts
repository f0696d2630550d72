#!/usr/bin/env -S npx tsx
/**
 * Replay throughput: replay → parse (auto: cms and JSON payloads) → stats every 60s by site → CSV,
 * over a generated 200,000-message file. Target (core issue): ≥ 300,000 messages/s on one core,
 * peak RSS < 200 MB.
 *
 *   taskset -c 0 npx tsx bench/replay.ts [--count 200000] [--runs 3]
 *
 * Each run is a fresh child process, so its peak RSS is the pipeline's own; the figures are from
 * inside it (the tsx start-up, about 0.4 s, is left out and shown separately as the CLI's wall time).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { sourceSpec, stepFromFlag, sinkFromFlag, withDefaults } from "../pipelines/spec.ts";
import { runPipeline } from "../pipelines/run.ts";
import { generateStream } from "./generate.ts";

const { values } = parseArgs({
  options: { count: { type: "string", default: "200000" }, runs: { type: "string", default: "3" }, child: { type: "string" } },
});
const dir = new URL("../tmp/", import.meta.url).pathname;

if (values.child) {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const spec = withDefaults({
    from: sourceSpec({ replay: { path: values.child } }, "bench"),
    steps: [stepFromFlag("stats", "{every: 60s, by: [site]}")],
    to: [sinkFromFlag(`csv:${dir}bench-out.csv`)],
  });
  const result = await runPipeline(spec, { signal: new AbortController().signal, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(JSON.stringify({ messages: result.report.counts.in, seconds, cpuSeconds, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
} else {
  const count = Number(values.count);
  const file = `${dir}bench-${count}.jsonl`;
  mkdirSync(dir, { recursive: true });
  if (!existsSync(file)) {
    const out = createWriteStream(file);
    for (const line of generateStream({ count, seed: 42 })) if (!out.write(line + "\n")) await once(out, "drain");
    out.end();
    await once(out, "close");
  }
  const cores = execFileSync("nproc").toString().trim();
  console.log(`replay → parse → stats 60s by site → csv, ${count} messages, node ${process.version}, ${cores} core(s) allowed`);
  for (let i = 0; i < Number(values.runs); i++) {
    const r = spawnSync(process.execPath, ["--import", "tsx", new URL(import.meta.url).pathname, "--child", file], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    const { messages, seconds, cpuSeconds, maxRssMB } = JSON.parse(r.stdout.trim().split("\n").pop()!);
    const rate = (s: number) => Math.round(messages / s).toLocaleString("en");
    console.log(`run ${i + 1}: ${rate(seconds)} messages/s (${seconds.toFixed(3)} s wall; ${rate(cpuSeconds)} per CPU-second), peak RSS ${maxRssMB.toFixed(0)} MB`);
  }
  const started = performance.now();
  spawnSync(process.execPath, ["--import", "tsx", "cli/cms-nats.ts", "replay", file, "--stats", "{every: 60s, by: [site]}", "--to", `csv:${dir}bench-out.csv`], {
    cwd: new URL("../", import.meta.url).pathname,
  });
  console.log(`whole CLI command, start-up included: ${((performance.now() - started) / 1000).toFixed(2)} s`);
}
