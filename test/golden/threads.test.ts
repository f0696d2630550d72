/**
 * Reading ahead on worker threads changes nothing but speed: each case runs the built CLI with
 * `--threads 0` (one thread reads everything) and `--threads 2` (threads read ranges or handed-over
 * chunks ahead, pre-decoded or counted in runs) over the same recording, and compares stdout, stderr,
 * the files written and the exit code byte for byte. The recording is the 20k sample with malformed
 * payloads (8 MB: 16 chunks of a thread), with the edge cases spliced in at chunk boundaries and
 * between: lines that are not records, blank and CRLF lines, a non-UTF-8 payload, headers, and
 * messages that come late for their window.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT, runCli } from "../support/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "threads-"));
const sample = readFileSync(join(ROOT, "samples/exitcodes-20k-malformed.jsonl"), "utf8").split("\n").filter((l) => l !== "");
const edges = readFileSync(join(ROOT, "samples/edge-cases.jsonl"), "utf8").split("\n");
const lines: string[] = [];
/** The edge cases at the time of a line of the sample, so that they do not all come late. */
const edgesAt = (time: string) =>
  edges.map((line) => {
    try {
      const rec = JSON.parse(line);
      return typeof rec.time === "string" && !Number.isNaN(Date.parse(rec.time)) ? JSON.stringify({ ...rec, time }) : line;
    } catch {
      return line;
    }
  });
sample.forEach((line, i) => {
  if (i % 1300 === 7) lines.push(...edgesAt(JSON.parse(line).time)); // about every chunk
  if (i % 977 === 3) {
    // a message ten minutes before this one: late for its 60 s window
    const rec = JSON.parse(line);
    lines.push(JSON.stringify({ ...rec, time: new Date(Date.parse(rec.time) - 600_000).toISOString() }));
  }
  lines.push(i % 2500 === 11 ? `${line}\r` : line);
});
const recording = join(dir, "mixed.jsonl");
writeFileSync(recording, lines.join("\n") + "\n");
writeFileSync(join(dir, "mixed.jsonl.gz"), gzipSync(readFileSync(recording)));
// two files whose times interleave: every other line each
writeFileSync(join(dir, "even.jsonl"), lines.filter((_, i) => i % 2 === 0).join("\n") + "\n");
writeFileSync(join(dir, "odd.jsonl"), lines.filter((_, i) => i % 2 === 1).join("\n")); // no newline at the end

interface Case {
  name: string;
  /** `{in}`: the recording; `{out}`: a file the run writes, compared too. */
  args: string[];
  stdin?: string;
}

const CASES: Case[] = [
  { name: "stats that count by site (counted in runs ahead), to a CSV file", args: ["replay", "{in}", "--stats", "{every: 60s, by: [site]}", "--to", "csv:{out}"] },
  { name: "stats with lateness, several attributes, every all with top", args: ["replay", "{in}", "--stats", "{every: 60s, by: [site, exitCode], lateness: 30s}", "--to", "csv:-", "--to", "{csv: {path: {out}}, steps: [{filter: {count: {gte: 3}}}]}"] },
  { name: "other measures: count_if, distinct, sum (messages read ahead one by one)", args: ["replay", "{in}", "--stats", "{every: 10m, by: [site], count_if: {failed: {exitCode: {ne: 0}}}, distinct: [campaign], sum: [exitCode]}", "--to", "csv:-"] },
  { name: "a filter between parse and stats", args: ["replay", "{in}", "--filter", 'site: "T2_*"', "--stats", "{every: all, by: [exitCode], top: 5}", "--to", "csv:-"] },
  { name: "malformed payloads kept, and written to a dead-letter file", args: ["replay", "{in}", "--parse", "{format: auto, malformed: keep}", "--stats", "{every: 10m, by: [site]}", "--to", "csv:-", "--dead-letter", "{out}"] },
  { name: "a name no message has: the hint lists the names seen", args: ["replay", "{in}", "--stats", "{every: all, by: [exitcode, Site]}", "--to", "csv:-"] },
  // the first messages in range are in the fifth chunk, sent to a thread after the first came back:
  // threads still read their names whole, and the hint is the same
  { name: "a time range starting late, and a name no message has", args: ["replay", "{in}", "--since", "2026-11-21T13:17:36Z", "--stats", "{every: all, by: [xyzzy]}", "--to", "csv:-"] },
  { name: "a time range", args: ["replay", "{in}", "--since", "2026-11-21T13:20Z", "--until", "-15m", "--stats", "{every: 5m, by: [site]}", "--to", "csv:-"] },
  { name: "a gzip recording (read here, decoded on threads)", args: ["replay", `${join(dir, "mixed.jsonl.gz")}`, "--stats", "{every: 60s, by: [site]}", "--to", "csv:-"] },
  { name: "two files merged by time", args: ["replay", join(dir, "even.jsonl"), join(dir, "odd.jsonl"), "--stats", "{every: 60s, by: [exitCode]}", "--to", "csv:-"] },
  { name: "standard input", args: ["replay", "-", "--stats", "{every: 60s, by: [site]}", "--to", "csv:-"], stdin: readFileSync(recording, "utf8") },
  { name: "select fixes the attributes (read ahead: only those are decoded), after a filter", args: ["replay", "{in}", "--filter", 'site: "T2_*"', "--select", "site,ExitCode,campaign,time", "--to", "csv:-"] },
  { name: "select in payload order (not read ahead, where the order would change)", args: ["replay", "{in}", "--select", "{attributes: [exitCode, site], order: payload}", "--to", "console"] },
  { name: "a limit after stats, and the console", args: ["replay", "{in}", "--stats", "{every: 60s, by: [site]}", "--limit", "50", "--to", "console"] },
];

/**
 * Both runs of a case. Problem lines on stderr are limited per minute of the wall clock: a pair in
 * which a run crossed a minute is run again, so that both show the same lines.
 */
function runBoth(c: Case) {
  for (;;) {
    const started = Date.now();
    const results = ["0", "2"].map((threads) => {
      const out = join(dir, `out-${threads}`);
      rmSync(out, { force: true });
      const args = [...c.args.map((a) => a.replaceAll("{in}", recording).replaceAll("{out}", out)), "--threads", threads, "--force"];
      const r = runCli("cms-nats", args, c.stdin);
      let written = "";
      try {
        written = readFileSync(out, "utf8");
      } catch {
        // this case writes no file
      }
      return { ...r, written };
    });
    const minute = (t: number) => Math.floor(t / 60_000);
    if (minute(started) === minute(Date.now())) return results;
  }
}

for (const c of CASES) {
  test(c.name, () => {
    const [one, two] = runBoth(c);
    assert.ok(one.code === 0 || one.code === 1, `exit ${one.code}: ${one.stderr.slice(-400)}`);
    assert.ok(one.stdout.length + one.written.length > 0, "the case writes something");
    assert.is(two.code, one.code, "exit code");
    assert.is(two.stdout, one.stdout, "stdout");
    assert.is(two.stderr, one.stderr, "stderr");
    assert.is(two.written, one.written, "the file written");
  });
}

test.run();
