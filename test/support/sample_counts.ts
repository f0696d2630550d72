/**
 * For the metrics sink tests: the true counts of a recorded sample, computed with plain code
 * (JSON.parse per line, the site read from `site:...` or `"Site"`) independently of the pipeline
 * under test; and running a spec in this process with its stderr collected.
 */
import { readFileSync } from "node:fs";
import { PassThrough, Readable } from "node:stream";
import { runPipeline, type RunResult } from "../../pipelines/run.ts";
import type { PipelineSpec } from "../../pipelines/spec.ts";

export interface Recorded {
  time: number;
  subject: string;
  site: string;
  /** As the payload wrote it ("" when it had none). */
  exitCode: string;
}

/** The well-formed messages of a sample file: those whose payload names a site. */
export function recordedMessages(path: string): Recorded[] {
  const out: Recorded[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line === "") continue;
    const rec = JSON.parse(line) as { time: string; subject: string; data: string };
    let site: string | undefined;
    let exitCode: string | undefined;
    if (rec.data.startsWith("{")) {
      const o = JSON.parse(rec.data) as { Site?: string; ExitCode?: number };
      site = o.Site;
      exitCode = o.ExitCode === undefined ? undefined : String(o.ExitCode);
    } else {
      const pairs = rec.data.split("   ");
      site = pairs.find((p) => p.startsWith("site:"))?.slice("site:".length);
      exitCode = pairs.find((p) => p.startsWith("exitCode:"))?.slice("exitCode:".length);
    }
    if (site !== undefined) out.push({ time: Date.parse(rec.time), subject: rec.subject, site, exitCode: exitCode ?? "" });
  }
  return out;
}

/** Counts per `<window end ms> <site>` for windows of `everyMs` aligned to the epoch. */
export function countsByWindowAndSite(messages: Recorded[], everyMs: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of messages) {
    const key = `${Math.floor(m.time / everyMs) * everyMs + everyMs} ${m.site}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Totals per site. */
export function countsBySite(messages: Recorded[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m.site, (counts.get(m.site) ?? 0) + 1);
  return counts;
}

/** Runs a spec in this process; stderr is collected as text (read it while the run goes on). */
export function runSpec(spec: PipelineSpec): { done: Promise<RunResult>; stderr(): string } {
  let err = "";
  const stderr = new PassThrough().on("data", (c: Buffer) => (err += c.toString()));
  const stdout = new PassThrough().resume();
  const done = runPipeline(spec, { signal: new AbortController().signal, stdin: Readable.from([]), stdout, stderr });
  return { done, stderr: () => err };
}
