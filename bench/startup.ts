#!/usr/bin/env -S npx tsx
/**
 * Start-up of the built commands, whole process (spawn to exit), next to a bare `node -e 0` in the
 * same run, the runs of every case interleaved so a busy machine slows them all alike. Targets
 * (issue: a real executable): `cms-nats --version` at most 3x bare node; `nats-pub SUBJECT MSG` to a
 * local nats-server at most 5x. With GO_NATS_PUB=/path/to/nats-pub-go (built as REFERENCE.md says)
 * the Go tool is timed too, as the anchor of the Go way.
 *
 *   npx tsx bench/startup.ts [--runs 21]
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { bin, WORKDIR } from "../test/support/cli.ts";
import { startNatsServer } from "../test/support/nats_server.ts";
import { median } from "./median.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "21" } } });
const runs = Number(values.runs);

export interface StartupFigure {
  name: string;
  medianMs: number;
  /** Median over bare node's median. */
  ratio: number;
  target?: number;
}

/** Times every case `runs` times, interleaved; the first case is the baseline. */
export async function startupFigures(runsEach: number): Promise<StartupFigure[]> {
  const server = await startNatsServer();
  try {
    const cases: { name: string; argv: string[]; target?: number; env?: Record<string, string> }[] = [
      { name: "node -e 0 (bare node)", argv: [process.execPath, "-e", "0"] },
      { name: "cms-nats --version", argv: [bin("cms-nats"), "--version"], target: 3 },
      { name: "cms-nats --help", argv: [bin("cms-nats"), "--help"] },
      { name: "nats-sub --help", argv: [bin("nats-sub"), "-h"] },
      { name: "nats-pub SUBJECT MSG (local server)", argv: [bin("nats-pub"), "-s", server.address, "cms.bench", "exitCode:8028   site:T2_US_MIT"], target: 5 },
      { name: "cms-nats replay 210 messages --to csv:-", argv: [bin("cms-nats"), "replay", "samples/mixed-200.jsonl", "--to", "csv:-"] },
    ];
    if (process.env.GO_NATS_PUB) {
      // the Go tool appends :4222 to every server and needs a cms-auth file: give it creds text instead
      cases.push({ name: "Go nats-pub SUBJECT MSG (local server)", argv: [process.env.GO_NATS_PUB, "-s", "127.0.0.1", "-creds", "x:y", "cms.bench", "exitCode:8028"] });
    }
    const times = cases.map(() => [] as number[]);
    for (let r = 0; r < runsEach; r++) {
      for (const [i, c] of cases.entries()) {
        const started = performance.now();
        const res = spawnSync(c.argv[0], c.argv.slice(1), { cwd: WORKDIR, stdio: ["ignore", "ignore", "pipe"] });
        const ms = performance.now() - started;
        if (res.status !== 0) throw new Error(`${c.name}: exit ${res.status}: ${res.stderr}`);
        if (r > 0) times[i].push(ms); // the first round warms the disk cache
      }
    }
    const medians = times.map(median);
    return cases.map((c, i) => ({ name: c.name, medianMs: medians[i], ratio: medians[i] / medians[0], target: c.target }));
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await startupFigures(runs);
  console.log(`start-up, whole process, median of ${runs - 1} interleaved runs, node ${process.version}`);
  for (const f of figures) {
    const target = f.target ? `   target ≤ ${f.target}x: ${f.ratio <= f.target ? "met" : "NOT met"}` : "";
    console.log(`${f.name.padEnd(42)} ${f.medianMs.toFixed(0).padStart(5)} ms  ${f.ratio.toFixed(2)}x${target}`);
  }
}
