#!/usr/bin/env -S npx tsx
/**
 * Peak RSS with default settings when a sink cannot keep up: a replay of the 1M-message recording
 * (bench/replay.ts makes it) into a CSV and a VictoriaMetrics sink whose server is down (nothing
 * listens on its port), and whose server answers each batch after 100 ms (slow). The replay waits
 * for a slow sink (it falls behind, not down) and goes on past a failing one, dropping (counted).
 * Peak RSS from /usr/bin/time, whole process.
 *
 *   npx tsx bench/memory.ts [--count 1000000]
 *
 * For a live burst into a slow sink (where nothing can wait), see bench/burst.ts.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { bin, ROOT } from "../test/support/cli.ts";
import { freePort } from "../test/support/process.ts";
import { recording } from "./replay.ts";

export interface MemoryFigure {
  name: string;
  rssMB: number;
  seconds: number;
  /** The run's last lines: what it delivered and dropped. */
  outcome: string;
}

function timed(argv: string[]): Promise<{ rssMB: number; seconds: number; stderr: string }> {
  const started = performance.now();
  const child = spawn("/usr/bin/time", ["-f", "maxrss %M", ...argv], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) =>
    child.once("close", () => resolve({ rssMB: Number(/maxrss (\d+)/.exec(stderr)?.[1] ?? NaN) / 1024, seconds: (performance.now() - started) / 1000, stderr })),
  );
}

export async function memoryFigures(count: number): Promise<MemoryFigure[]> {
  const file = await recording(count);
  const csv = `${ROOT}tmp/bench-memory.csv`;
  const replay = (to: string) => [bin("cms-nats"), "replay", file, "--to", `csv:${csv}`, "--force", "--to", to];
  const outcome = (stderr: string) => stderr.split("\n").filter((l) => /^(error|summary)/.test(l)).join("; ");
  const figures: MemoryFigure[] = [];
  const down = await freePort(); // nothing listens there
  const dead = await timed(replay(`victoriametrics: {url: http://127.0.0.1:${down}}`));
  figures.push({ name: `replay ${count} → CSV + VictoriaMetrics down`, rssMB: dead.rssMB, seconds: dead.seconds, outcome: outcome(dead.stderr) });
  const server = createServer((req, res) => {
    req.resume().on("end", () => setTimeout(() => res.writeHead(204).end(), 100)); // a busy server
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as { port: number };
    const slow = await timed(replay(`victoriametrics: {url: http://127.0.0.1:${port}}`));
    figures.push({ name: `replay ${count} → CSV + VictoriaMetrics answering after 100 ms`, rssMB: slow.rssMB, seconds: slow.seconds, outcome: outcome(slow.stderr) });
  } finally {
    server.close();
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { count: { type: "string", default: "1000000" } } });
  for (const f of await memoryFigures(Number(values.count))) console.log(`${f.name.padEnd(62)} peak RSS ${f.rssMB.toFixed(0)} MB  ${f.seconds.toFixed(1)} s  (${f.outcome})`);
}
