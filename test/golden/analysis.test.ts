/**
 * The analysts' questions, through the built command, on a generated stream (not the bundled
 * expectations), each answer checked against a count made here with plain code: a time range, the
 * top exit codes of a file, per-tier counts, failed jobs and distinct campaigns per site, the keys,
 * two recordings (one gzipped) given out of order, late messages, sampling and limits, and
 * `cms-nats test` passing and failing.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parse as parseCsv } from "csv-parse/sync";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateStream } from "../../bench/generate.ts";
import { runCli, summaryCounts } from "../support/cli.ts";
import { tempDir } from "../support/process.ts";

const dir = tempDir("analysis");
const lines = [...generateStream({ count: 6000, seed: 23, malformed: 60 })];
const stream = join(dir.path, "day.jsonl");
writeFileSync(stream, lines.join("\n") + "\n");

interface Doc {
  time: number;
  subject: string;
  attrs?: Record<string, string>;
}

/** The recording read with plain code: JSON or key:value payloads, keys' first letter lower-cased. */
const docs: Doc[] = lines.map((line) => {
  const rec = JSON.parse(line) as { time: string; subject: string; data: string };
  const doc: Doc = { time: Date.parse(rec.time), subject: rec.subject };
  try {
    if (rec.data.startsWith("{")) {
      const o = JSON.parse(rec.data) as Record<string, unknown>;
      if (typeof o !== "object" || o === null || Array.isArray(o)) return doc;
      doc.attrs = Object.fromEntries(Object.entries(o).map(([k, v]) => [k[0].toLowerCase() + k.slice(1), String(v)]));
    } else {
      const pairs = rec.data.split("   ");
      if (rec.data === "" || pairs.some((p) => !p.includes(":") || p.indexOf(":") === 0 || p.slice(0, p.indexOf(":")).includes(" "))) return doc;
      doc.attrs = Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf(":")), p.slice(p.indexOf(":") + 1)]));
    }
  } catch {
    // malformed
  }
  return doc;
});
const good = docs.filter((d) => d.attrs);
const csv = (text: string) => parseCsv(text, { columns: true }) as Record<string, string>[];
const countBy = <T>(items: T[], key: (t: T) => string) => {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
};

test("a time range, absolute and relative to the recording's end, and time as an attribute", () => {
  const since = Date.parse("2026-11-21T13:05:00Z");
  const until = Date.parse("2026-11-21T13:07:30Z");
  const inRange = good.filter((d) => d.time >= since && d.time < until && d.attrs!.site === "T2_US_MIT");
  const r = runCli("cms-nats", ["replay", stream, "--since", "2026-11-21T13:05Z", "--until", "2026-11-21T13:07:30Z", "--filter", "site: T2_US_MIT", "--select", "time,exitCode", "--to", "csv:-"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(csv(r.stdout).map((row) => [row.time, row.exitCode]), inRange.map((d) => [new Date(d.time).toISOString(), d.attrs!.exitCode]));
  const end = Math.max(...docs.map((d) => d.time));
  const last = docs.filter((d) => d.time >= end - 120_000).length;
  const rel = runCli("cms-nats", ["replay", stream, "--since", "-2m", "--to", "record:-"]);
  assert.is(rel.stdout.trim().split("\n").length, last);
  assert.ok(summaryCounts(rel.stderr).outside_range > 0);
});

test("a time range includes its --since and leaves out its --until, on one thread and on reading threads", () => {
  const at = (t: string, code: number) => JSON.stringify({ time: t, subject: `cms.wmarchive.exitCode.${code}`, data: `exitCode:${code}   site:T2_US_MIT` });
  const edges = join(dir.path, "edges.jsonl");
  writeFileSync(edges, [at("2026-11-21T13:04:59.999Z", 1), at("2026-11-21T13:05:00.000Z", 2), at("2026-11-21T13:06:59.999Z", 3), at("2026-11-21T13:07:00.000Z", 4)].join("\n") + "\n");
  for (const threads of ["0", "1"]) {
    const r = runCli("cms-nats", ["replay", edges, "--since", "2026-11-21T13:05Z", "--until", "2026-11-21T13:07Z", "--stats", "{every: all, by: [exitCode]}", "--to", "csv:-", "--threads", threads]);
    assert.is(r.code, 0, r.stderr);
    assert.equal(csv(r.stdout).map((row) => row.exitCode), ["2", "3"], `--threads ${threads}`);
  }
});

test("the top 5 exit codes of a file (every: all, top)", () => {
  const top = [...countBy(good, (d) => d.attrs!.exitCode)].sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0])).slice(0, 5);
  const r = runCli("cms-nats", ["replay", stream, "--stats", "{every: all, by: [exitCode], top: 5}", "--to", "csv:-"]);
  assert.is(r.code, 0, r.stderr);
  const rows = csv(r.stdout);
  assert.equal(rows.map((row) => [row.exitCode, Number(row.count)]), top);
  assert.is(rows[0].window_start, new Date(Math.min(...good.map((d) => d.time))).toISOString());
});

test("per tier (derived from the site) and failed jobs, distinct campaigns per site (count_if, distinct)", () => {
  const tier = countBy(good, (d) => /^(T[0-3])_/.exec(d.attrs!.site)?.[1] ?? "");
  const t = runCli("cms-nats", ["replay", stream, "--set", 'tier: {from: site, regex: "^(T[0-3])_"}', "--stats", "{every: all, by: [tier]}", "--to", "csv:-"]);
  assert.is(t.code, 0, t.stderr);
  assert.equal(csv(t.stdout).map((row) => [row.tier, Number(row.count)]), [...tier].sort());

  const r = runCli("cms-nats", ["replay", stream, "--stats", "{every: all, by: [site], count_if: {failed: {exitCode: {ne: 0}}}, distinct: [campaign]}", "--to", "csv:-"]);
  assert.is(r.code, 0, r.stderr);
  for (const row of csv(r.stdout)) {
    const at = good.filter((d) => d.attrs!.site === row.site);
    assert.equal([Number(row.count), Number(row.failed), Number(row.distinct_campaign)], [at.length, at.filter((d) => d.attrs!.exitCode !== "0").length, new Set(at.map((d) => d.attrs!.campaign)).size], row.site);
  }
  const s = runCli("cms-nats", ["replay", stream, "--set", 'status: {from: exitCode, map: {"0": ok}, default: failed}', "--set", 'country: {from: site, regex: "^T[0-3]_([A-Z]{2})_"}', "--stats", "{every: all, by: [country, status]}", "--to", "csv:-"]);
  const byCountry = countBy(good, (d) => `${/^T[0-3]_([A-Z]{2})_/.exec(d.attrs!.site)?.[1] ?? ""} ${d.attrs!.exitCode === "0" ? "ok" : "failed"}`);
  assert.equal(new Map(csv(s.stdout).map((row) => [`${row.country} ${row.status}`, Number(row.count)])), byCountry);
});

test("keys: every attribute name with how many messages had it", () => {
  const r = runCli("cms-nats", ["keys", stream]);
  assert.is(r.code, 0, r.stderr);
  const expected = countBy(good.flatMap((d) => Object.keys(d.attrs!)), (k) => k);
  const got = new Map(r.stdout.split("\n").slice(1, -2).map((l) => l.trim().split(/\s+/)).map(([k, n]) => [k, Number(n)]));
  assert.equal(got, expected);
  assert.match(r.stdout, `${good.length} messages;`);
});

test("two recordings, one gzipped, given out of order: the same stats as the one file; late messages counted, not moved", () => {
  const half = Math.floor(lines.length / 2);
  const a = join(dir.path, "first.jsonl");
  const b = join(dir.path, "second.jsonl.gz");
  // every other line each: both files span the whole day, their merge is the day again
  writeFileSync(a, lines.filter((_, i) => i % 2 === 0).join("\n") + "\n");
  writeFileSync(b, gzipSync(lines.filter((_, i) => i % 2 === 1).join("\n") + "\n"));
  const stats = ["--stats", "{every: 5m, by: [site]}", "--to", "csv:-"];
  const one = runCli("cms-nats", ["replay", stream, ...stats]);
  const two = runCli("cms-nats", ["replay", b, a, ...stats]);
  assert.is(two.code, 0, two.stderr);
  assert.is(two.stdout, one.stdout);
  assert.equal(summaryCounts(two.stderr).in, summaryCounts(one.stderr).in);
  // concatenated out of order: the second half's messages come after the first's, a stats window already closed
  const outOfOrder = join(dir.path, "late.jsonl");
  writeFileSync(outOfOrder, [...lines.slice(half), ...lines.slice(0, half)].join("\n") + "\n");
  const late = runCli("cms-nats", ["replay", outOfOrder, ...stats]);
  const c = summaryCounts(late.stderr);
  assert.ok(c.late > 0, late.stderr);
  assert.is(c.in, c.parse_errors + c.aggregated + c.late);
  void half;
});

test("--sample (seeded: the same sample each time) and --limit", () => {
  const s1 = runCli("cms-nats", ["replay", stream, "--sample", "0.1", "--select", "site"]);
  const s2 = runCli("cms-nats", ["replay", stream, "--sample", "0.1", "--select", "site"]);
  assert.is(s1.stdout, s2.stdout);
  const kept = s1.stdout.trim().split("\n").length;
  assert.ok(kept > 0.05 * good.length && kept < 0.15 * good.length, `${kept}`);
  assert.not.equal(runCli("cms-nats", ["replay", stream, "--sample", "{fraction: 0.1, seed: 2}", "--select", "site"]).stdout, s1.stdout);
  const l = runCli("cms-nats", ["replay", stream, "--limit", "25", "--to", "record:-"]);
  assert.equal(l.stdout.trim().split("\n"), lines.slice(0, 25));
  assert.is(summaryCounts(l.stderr).in, 25);
});

test("cms-nats test: passes on a right expectation, fails naming the test and the first differing line on a wrong one", () => {
  const expected = join(dir.path, "expected.csv");
  const wrong = join(dir.path, "wrong.csv");
  const out = runCli("cms-nats", ["replay", stream, "--stats", "{every: 10m, by: [site]}", "--to", "csv:-"]).stdout;
  writeFileSync(expected, out);
  writeFileSync(wrong, out.replace(/,(\d+)\n/, (_, n) => `,${Number(n) + 1}\n`));
  const file = join(dir.path, "p.yaml");
  writeFileSync(file, `from: replay:unused.jsonl\nsteps:\n  - stats: {every: 10m, by: [site]}\nto:\n  - csv: {path: out.csv}\ntests:\n  - name: right\n    input: ${stream}\n    expect:\n      out.csv: ${expected}\n  - name: wrong\n    input: ${stream}\n    expect:\n      out.csv: ${wrong}\n`);
  const r = runCli("cms-nats", ["test", file]);
  assert.is(r.code, 1, r.stderr);
  const [ok, fail] = r.stdout.trim().split("\n");
  assert.match(ok, /^ok {2}.*p\.yaml: right: 1 output\(s\) as expected/);
  assert.match(fail, /^FAIL {2}.*p\.yaml: wrong: out\.csv differs from .*wrong\.csv: line 2: expected '.*', got '.*'$/);
  writeFileSync(file, readFileSync(file, "utf8").replace(/ {2}- name: wrong[^]*$/, ""));
  assert.is(runCli("cms-nats", ["test", file]).code, 0);
});

test("the ready-made pipelines pass their own tests", () => {
  const r = runCli("cms-nats", ["test", "pipelines/exitcodes-by-site.yaml", "pipelines/t2-failures.yaml", "pipelines/top-exitcodes.yaml", "pipelines/failures-by-site.yaml"]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.ok(r.stdout.trim().split("\n").every((l) => l.startsWith("ok")), r.stdout);
});

test.after(() => dir.remove());

test.run();
