/**
 * Pipeline tests, as `vector test` and `connect test` give their users: a pipeline file may hold
 * `tests:`, each replaying an input through the file's steps and comparing what its sinks wrote with
 * expected files, byte for byte. Paths are relative to the directory the command runs in, as the
 * file's own `from:` and `to:` are.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { VirtualTimeScheduler } from "rxjs";
import * as z from "zod";
import { runPipeline } from "./run.ts";
import { pipelineFromFile, readPipelineFile, type SinkSpec, sourceOf, SpecError } from "./spec.ts";
import { explain } from "../lib/config.ts";

const testsConfig = z.array(
  z.strictObject({
    name: z.string().min(1).describe("what the test is called in its report"),
    input: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).describe("recorded file(s) replayed instead of the pipeline's source"),
    expect: z.record(z.string().min(1), z.string().min(1)).describe("output path of a sink (as the file writes it; - for stdout and the console) → the file it must equal"),
  }),
);

export interface TestOutcome {
  name: string;
  ok: boolean;
  /** What differed, or what was compared. */
  detail: string;
}

/** Runs every test of a pipeline file; throws SpecError when the file or its tests are not valid. */
export async function runPipelineTests(file: string): Promise<TestOutcome[]> {
  const raw = readPipelineFile(file);
  if (raw.tests === undefined) throw new SpecError(file, "has no tests:", "e.g. tests: [{name: per-site counts, input: samples/exitcodes-20k.jsonl, expect: {out.csv: samples/expected/x.csv}}]");
  const parsed = testsConfig.safeParse(raw.tests);
  if (!parsed.success) {
    const issue = explain(parsed.error, testsConfig, raw.tests);
    throw new SpecError(`${file}: tests${issue.path.length ? `[${issue.path[0] as number}].${issue.path.slice(1).join(".")}` : ""}`, issue.message);
  }
  const spec = pipelineFromFile(file);
  const outcomes: TestOutcome[] = [];
  for (const t of parsed.data) outcomes.push(await runOne(file, spec, t));
  return outcomes;
}

type Test = z.infer<typeof testsConfig>[number];

async function runOne(file: string, spec: ReturnType<typeof pipelineFromFile>, t: Test): Promise<TestOutcome> {
  const dir = mkdtempSync(join(tmpdir(), "pipeline-test-"));
  try {
    const outputs = new Map<string, string>(); // expected key → where this run wrote it
    const to: SinkSpec[] = [];
    for (const [i, sink] of spec.to.entries()) {
      const path = sink.kind === "console" ? "-" : (sink.config as { path?: string }).path;
      if (path === undefined || !Object.hasOwn(t.expect, path)) continue; // only what the test checks
      const written = path === "-" ? "-" : join(dir, `${i}-${path.replace(/[^\w.-]/g, "_")}`);
      outputs.set(path, written);
      to.push(sink.kind === "console" ? sink : ({ ...sink, config: { ...sink.config, path: written, append: false, overwrite: true } } as SinkSpec));
    }
    const missing = Object.keys(t.expect).filter((p) => !outputs.has(p));
    if (missing.length > 0) return { name: t.name, ok: false, detail: `no sink of ${file} writes ${missing.join(", ")}` };
    let stdout = "";
    let stderr = "";
    const result = await runPipeline(
      { ...spec, from: sourceOf("replay", { path: t.input }, `${file}: test ${t.name}: input`), to, deadLetter: undefined },
      {
        signal: new AbortController().signal,
        stdin: Readable.from([]),
        stdout: new PassThrough().on("data", (c: Buffer) => (stdout += c.toString())),
        stderr: new PassThrough().on("data", (c: Buffer) => (stderr += c.toString())),
        scheduler: new VirtualTimeScheduler(), // a replay's windows move with the messages' times, never the wall clock
      },
    );
    if (!result.ok) return { name: t.name, ok: false, detail: `the run failed: ${result.error?.message ?? result.sinks.find((s) => s.error)?.error?.message ?? stderr.trim()}` };
    for (const [path, expected] of Object.entries(t.expect)) {
      const got = outputs.get(path) === "-" ? stdout : readFileSync(outputs.get(path)!, "utf8");
      const want = readFileSync(expected, "utf8");
      if (got !== want) return { name: t.name, ok: false, detail: `${path} differs from ${expected}: ${firstDifference(want, got)}` };
    }
    return { name: t.name, ok: true, detail: `${Object.keys(t.expect).length} output(s) as expected (${result.report.summary().replace(/^summary /, "")})` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where two texts part, as a person reads it: the first differing line, numbered from 1. */
export function firstDifference(want: string, got: string): string {
  const a = want.split("\n");
  const b = got.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    if (a[i] === undefined) return `line ${i + 1}: expected the end, got '${b[i]}'`;
    if (b[i] === undefined) return `line ${i + 1}: expected '${a[i]}', got the end`;
    return `line ${i + 1}: expected '${a[i]}', got '${b[i]}'`;
  }
  return "the same lines, other bytes";
}
