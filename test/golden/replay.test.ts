/**
 * Golden replays: each case runs the real CLI on a bundled sample and compares its output with the
 * expected file in samples/expected/ byte for byte, and its summary line. The expected files were
 * made by this tool and checked by independent counts (independent.test.ts); to remake them after a
 * deliberate change: UPDATE_GOLDEN=1 npx tsx test/run.ts golden, then review the diff.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bin, cliEnv, ROOT, runCli, summaryLine, WORKDIR } from "../support/cli.ts";

const update = process.env.UPDATE_GOLDEN === "1";
const tmp = mkdtempSync(join(tmpdir(), "golden-"));

interface Case {
  name: string;
  args: string[];
  /** Expected output file under samples/expected/; `{out}` in args is where the CLI writes it, else stdout. */
  expected: string;
  summary: string;
}

const CASES: Case[] = [
  {
    name: "per-site counts every minute to a CSV file",
    args: ["replay", "samples/exitcodes-20k.jsonl", "--stats", "{every: 60s, by: [site]}", "--to", "csv: {path: {out}}"],
    expected: "exitcodes-20k.by-site-60s.csv",
    summary: "summary in=20000 aggregated=20000 out=1609",
  },
  {
    name: "malformed payloads change nothing but the error count",
    args: ["replay", "samples/exitcodes-20k-malformed.jsonl", "--stats", "{every: 60s, by: [site]}", "--to", "csv: {path: {out}}"],
    expected: "exitcodes-20k.by-site-60s.csv",
    summary: "summary in=20400 parse_errors=400 aggregated=20000 out=1609",
  },
  {
    name: "filters in order, then select, to CSV on stdout",
    args: ["replay", "samples/exitcodes-20k-malformed.jsonl", "--filter", 'site: "T2_*"', "--filter", "exitCode: {gte: 8000}", "--select", "site,exitCode,campaign", "--to", "csv:-"],
    expected: "exitcodes-20k.t2-failures.csv",
    summary: "summary in=20400 parse_errors=400 filtered=9349 out=10651",
  },
  {
    name: "the same from a pipeline file",
    args: ["run", "-f", "pipelines/t2-failures.yaml"],
    expected: "exitcodes-20k.t2-failures.csv",
    summary: "summary in=20000 filtered=9349 out=10651",
  },
  {
    name: "console values (the nats-sub format), default sink",
    args: ["replay", "samples/mixed-200.jsonl", "--select", "site,exitCode"],
    expected: "mixed-200.values.txt",
    summary: "summary in=210 parse_errors=10 out=200",
  },
  {
    name: "console raw with Go log timestamps: every message as received, malformed ones too (nothing parses them)",
    args: ["replay", "samples/mixed-200.jsonl", "--to", "console: {format: raw, time: true}"],
    expected: "mixed-200.raw.txt",
    summary: "summary in=210 out=210",
  },
  {
    name: "console json after a renaming select",
    args: ["replay", "samples/mixed-200.jsonl", "--select", "{code: exitCode, where: site}", "--to", "console:json"],
    expected: "mixed-200.json.txt",
    summary: "summary in=210 parse_errors=10 out=200",
  },
  {
    name: "top three exit codes every 10 seconds",
    args: ["replay", "samples/mixed-200.jsonl", "--stats", "{every: 10s, by: [exitCode], top: 3}", "--to", "csv:-"],
    expected: "mixed-200.top-exitcodes.csv",
    summary: "summary in=210 parse_errors=10 aggregated=200 out=12",
  },
  {
    name: "edge cases: colons and quotes in values, non-UTF-8, CRLF, no final newline, bad lines skipped",
    args: ["replay", "samples/edge-cases.jsonl", "--to", "csv:-"],
    expected: "edge-cases.csv",
    summary: "summary in=6 skipped=4 out=6",
  },
];

for (const [i, c] of CASES.entries()) {
  test(c.name, () => {
    const out = join(tmp, `${i}-${c.expected}`);
    const toFile = c.args.some((a) => a.includes("{out}"));
    const args = c.args.map((a) => a.replace("{out}", out));
    const outputs = [0, 1].map((run) => {
      const r = runCli("cms-nats", args.map((a) => a.replace(out, `${out}.${run}`)));
      assert.is(r.code, 0, r.stderr);
      assert.is(summaryLine(r.stderr), c.summary);
      return toFile ? readFileSync(`${out}.${run}`, "utf8") : r.stdout;
    });
    assert.is(outputs[1], outputs[0], "two runs gave different bytes");
    const expectedPath = join(ROOT, "samples/expected", c.expected);
    if (update) writeFileSync(expectedPath, outputs[0]);
    assert.fixture(outputs[0], readFileSync(expectedPath, "utf8"));
  });
}

/** Runs `[FEED |] cms-nats replay <(COMMAND) ARGS` in bash: a pipe as the path, as `replay <(zcat rec.jsonl.gz)` gives one. */
function replayPipe(command: string, args: string[], feed?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn("bash", ["-c", `${feed ? `${feed} |` : "exec"} "$0" replay <(${command}) "$@"`, bin("cms-nats"), ...args], { cwd: WORKDIR, env: cliEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

test("a pipe as the path (replay <(zcat rec.jsonl.gz)): plain or gzip, read ahead on threads or not, or read from the command's own stdin: the same output as the file; a time before its end refused", async () => {
  const expected = readFileSync(join(ROOT, "samples/expected/exitcodes-20k.by-site-60s.csv"), "utf8");
  const sample = JSON.stringify(join(ROOT, "samples/exitcodes-20k.jsonl"));
  // the last: the pipe's reader shares the command's stdin, which the command must leave as it is (not made non-blocking)
  for (const [command, feed] of [[`cat ${sample}`], [`gzip -c ${sample}`], ["cat", `cat ${sample}`]]) {
    for (const threads of ["0", "2"]) {
      const r = await replayPipe(command, ["--threads", threads, "--stats", "{every: 60s, by: [site]}", "--to", "csv:-"], feed);
      assert.is(r.code, 0, `${feed ?? ""} <(${command}) --threads ${threads}: ${r.stderr}`);
      assert.is(summaryLine(r.stderr), "summary in=20000 aggregated=20000 out=1609");
      assert.fixture(r.stdout, expected);
    }
  }
  const r = await replayPipe(`cat ${sample}`, ["--since", "-1h"]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /error: a time before the recording's end \(-1h\) needs files, not a pipe \(\/dev\/fd\/\d+\): it would have to be read twice/);
});

test.run();
