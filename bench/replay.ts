#!/usr/bin/env -S npx tsx
/**
 * Replay throughput, whole process: `cms-nats replay FILE --stats '{every: 60s, by: [site]}' --to
 * csv:OUT` through the built bin entry (start-up included), over a generated recording (30 % JSON
 * payloads), next to two anchors in the same run, the runs interleaved:
 *   - Miller, what an analyst would otherwise run: `mlr --ijsonl --ocsv count-distinct -f subject`
 *     (it does not even parse the payloads, so it does less work);
 *   - the naive floor of the language: one Node.js loop, JSON.parse of each line, indexOf for the
 *     site, a Map count (no windows, no CSV quoting, no error handling).
 * Peak RSS from /usr/bin/time.
 *
 *   npx tsx bench/replay.ts [--count 1000000] [--runs 3]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { bin, ROOT } from "../test/support/cli.ts";
import { generateStream } from "./generate.ts";

const { values } = parseArgs({ options: { count: { type: "string", default: "1000000" }, runs: { type: "string", default: "3" } } });
const dir = `${ROOT}tmp/`;

/** The naive single-threaded loop: what plain Node.js does per line with no pipeline around it. */
const NAIVE = `
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
const counts = new Map();
let n = 0;
for await (const line of createInterface({ input: createReadStream(process.argv[1], { highWaterMark: 256 * 1024 }) })) {
  const rec = JSON.parse(line);
  const d = rec.data;
  let site;
  if (d.charCodeAt(0) === 123) site = JSON.parse(d).Site;
  else { const i = d.indexOf("site:"); const j = d.indexOf("   ", i); site = d.slice(i + 5, j < 0 ? undefined : j); }
  counts.set(site, (counts.get(site) ?? 0) + 1);
  n++;
}
process.stderr.write("naive " + n + " " + counts.size + "\\n");
`;

export interface ReplayFigure {
  name: string;
  rate: number;
  seconds: number;
  rssMB: number;
}

/** The generated recording of `count` messages (made once, in tmp/). */
export async function recording(count: number): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const file = `${dir}bench-${count}.jsonl`;
  if (!existsSync(file)) {
    const out = createWriteStream(file);
    for (const line of generateStream({ count, seed: 42 })) if (!out.write(line + "\n")) await once(out, "drain");
    out.end();
    await once(out, "close");
  }
  return file;
}

/** Times each case `runs` times over the recording of `count` messages, interleaved. */
export async function replayFigures(count: number, runs: number): Promise<{ file: string; figures: ReplayFigure[] }> {
  const file = await recording(count);
  const cases: { name: string; argv: string[] }[] = [
    { name: "cms-nats replay → stats 60s by site → csv", argv: [bin("cms-nats"), "replay", file, "--stats", "{every: 60s, by: [site]}", "--to", `csv:${dir}bench-out.csv`, "--force"] },
    { name: "naive Node.js loop (JSON.parse, indexOf, Map)", argv: [process.execPath, "--input-type=module", "-e", NAIVE, file] },
  ];
  if (spawnSync("mlr", ["--version"]).status === 0) {
    cases.push({ name: "Miller: mlr --ijsonl count-distinct -f subject", argv: ["mlr", "--ijsonl", "--ocsv", "count-distinct", "-f", "subject", file] });
  }
  const samples = cases.map(() => [] as { seconds: number; rssMB: number }[]);
  for (let r = 0; r < runs; r++) {
    for (const [i, c] of cases.entries()) {
      const started = performance.now();
      const res = spawnSync("/usr/bin/time", ["-f", "maxrss %M", ...c.argv], { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 * 1024 * 1024 });
      const seconds = (performance.now() - started) / 1000;
      if (res.status !== 0) throw new Error(`${c.name}: exit ${res.status}: ${res.stderr.slice(-500)}`);
      samples[i].push({ seconds, rssMB: Number(/maxrss (\d+)/.exec(res.stderr)![1]) / 1024 });
    }
  }
  const figures = cases.map((c, i) => {
    const best = samples[i].sort((a, b) => a.seconds - b.seconds)[Math.floor(samples[i].length / 2)];
    return { name: c.name, rate: count / best.seconds, seconds: best.seconds, rssMB: best.rssMB };
  });
  return { file, figures };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(values.count);
  const { figures } = await replayFigures(count, Number(values.runs));
  const cores = execFileSync("nproc").toString().trim();
  console.log(`replay of ${count.toLocaleString("en")} messages, whole process, median of ${values.runs} interleaved runs; node ${process.version}, ${cores} cores`);
  for (const f of figures) {
    console.log(`${f.name.padEnd(48)} ${Math.round(f.rate).toLocaleString("en").padStart(10)} msg/s  ${f.seconds.toFixed(2)} s  peak RSS ${f.rssMB.toFixed(0)} MB`);
  }
  const ours = figures[0].rate;
  for (const f of figures.slice(1)) console.log(`cms-nats / ${f.name.split(":")[0]}: ${(ours / f.rate).toFixed(2)}x`);
}
