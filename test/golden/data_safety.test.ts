/**
 * Data is never destroyed by a mistake, through the built command: a failed or refused run leaves
 * every file that existed before it byte for byte as it was. Each case is one a user can type.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { freePort, tempDir } from "../support/process.ts";
import { ROOT, runCli, summaryLine } from "../support/cli.ts";

const dir = tempDir("safety");
const SAMPLE = join(ROOT, "samples/mixed-200.jsonl");
/** A file holding something precious, and a check that it still holds exactly that. */
function precious(name: string, text = "window_start,site,count\nkeep,me,1\n") {
  const path = join(dir.path, name);
  writeFileSync(path, text);
  return { path, unchanged: (why: string) => assert.is(readFileSync(path, "utf8"), text, `${name} changed: ${why}`) };
}

test("a missing input: exit 1, the output file untouched (with --force too)", () => {
  const p = precious("precious.csv");
  for (const force of [[], ["--force"]]) {
    const r = runCli("cms-nats", ["replay", join(dir.path, "no-such.jsonl"), "--to", `csv:${p.path}`, ...force]);
    assert.is(r.code, force.length ? 1 : 2, r.stderr);
    p.unchanged(`replay of a missing file ${force.join(" ")}`);
  }
  const fresh = join(dir.path, "fresh.csv");
  assert.is(runCli("cms-nats", ["replay", join(dir.path, "no-such.jsonl"), "--to", `csv:${fresh}`]).code, 1);
  assert.not.ok(existsSync(fresh), "no file is created by a run that fails before any output");
});

test("an unreachable NATS server: exit 1, the output file untouched (with --force)", async () => {
  const p = precious("live.csv");
  const r = runCli("cms-nats", ["run", "--from", `{nats: {subject: cms.x, servers: "127.0.0.1:${await freePort()}"}}`, "--to", `csv:${p.path}`, "--force"], undefined, { HOME: dir.path });
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, "cannot connect to NATS");
  p.unchanged("unreachable server");
});

test("an output or dead-letter file that is the input is refused (exit 2), the input untouched", () => {
  const input = join(dir.path, "input.jsonl");
  copyFileSync(SAMPLE, input);
  const before = readFileSync(input, "utf8");
  for (const args of [["--to", `record:${input}`], ["--dead-letter", input], ["--to", `record:${dir.path}/../${dir.path.split("/").pop()}/input.jsonl`, "--force"]]) {
    const r = runCli("cms-nats", ["replay", input, ...args]);
    assert.is(r.code, 2, args.join(" "));
    assert.match(r.stderr, "is the input");
    assert.is(readFileSync(input, "utf8"), before, args.join(" "));
  }
});

test("record -o onto an existing recording is refused without --append or --force; the recording untouched", async () => {
  const rec = precious("rec.jsonl", readFileSync(SAMPLE, "utf8"));
  const r = runCli("cms-nats", ["record", "cms.x", "-s", `127.0.0.1:${await freePort()}`, "-o", rec.path], undefined, { HOME: dir.path });
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, `error: -o ${rec.path}: ${rec.path} exists and is not empty`);
  assert.match(r.stderr, "add --force to replace it, or append");
  rec.unchanged("record -o");
});

test("csv, record and the dead-letter file refuse a non-empty file unless appending or forced; append adds under the header", () => {
  const p = precious("stats.csv", "");
  const args = (...extra: string[]) => ["replay", SAMPLE, "--stats", "{every: 10s}", "--to", `csv:${p.path}`, ...extra];
  assert.is(runCli("cms-nats", args()).code, 0, "an empty file may be written");
  const first = readFileSync(p.path, "utf8");
  assert.is(runCli("cms-nats", args()).code, 2);
  assert.is(readFileSync(p.path, "utf8"), first, "refused: unchanged");
  const dead = precious("dead.jsonl", "{}\n");
  assert.is(runCli("cms-nats", ["replay", SAMPLE, "--dead-letter", dead.path, "--to", `csv:${join(dir.path, "other.csv")}`]).code, 2);
  dead.unchanged("dead letter");
  assert.is(runCli("cms-nats", args("--force")).code, 0);
  assert.is(readFileSync(p.path, "utf8"), first, "--force replaced it with the same output");
  const append = runCli("cms-nats", ["replay", SAMPLE, "--stats", "{every: 10s}", "--to", `{csv: {path: "${p.path}", append: true}}`]);
  assert.is(append.code, 0, append.stderr);
  assert.is(readFileSync(p.path, "utf8"), first + first.split("\n").slice(1).join("\n"));
});

test("a recording none of whose lines is a message is an error that says what the file looks like; outputs untouched", () => {
  const out = precious("out.csv");
  const cases: [string, Buffer, RegExp][] = [
    ["archive.zip", Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]), /looks like a zip file/],
    ["binary.bin", Buffer.concat([Buffer.from("ELF"), Buffer.alloc(200)]), /binary data \(NUL bytes\)/],
    ["table.csv", Buffer.from("time,site\n2026,T2\n"), /its lines are not recorded messages; the first one is 'time,site'/],
  ];
  for (const [name, bytes, why] of cases) {
    const file = join(dir.path, name);
    writeFileSync(file, bytes);
    const r = runCli("cms-nats", ["replay", file, "--to", `csv:${out.path}`, "--force"]);
    assert.is(r.code, 1, `${name}: ${r.stderr}`);
    assert.match(r.stderr, `error: ${file} is not a recording: `);
    assert.match(r.stderr, why);
    out.unchanged(name);
  }
});

test("gzip-compressed recordings are read as they are, whatever their name", () => {
  const gz = join(dir.path, "sample.jsonl.gz");
  writeFileSync(gz, gzipSync(readFileSync(SAMPLE)));
  copyFileSync(gz, join(dir.path, "no-suffix"));
  const plain = runCli("cms-nats", ["replay", SAMPLE, "--select", "site"]);
  for (const file of [gz, join(dir.path, "no-suffix")]) {
    const r = runCli("cms-nats", ["replay", file, "--select", "site"]);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, plain.stdout);
  }
});

test("a recorded time past the year 9999 is refused at the reader: reported and skipped, the run goes on (regression: a 7-day window crashed the process with RangeError)", () => {
  const file = join(dir.path, "far.jsonl");
  writeFileSync(file, `{"time":8639999900000000,"subject":"s","data":"site:x"}\n{"time":0,"subject":"s","data":"site:y"}\n`);
  const out = join(dir.path, "far.csv");
  const r = runCli("cms-nats", ["replay", file, "--stats", "{every: 7d}", "--to", `csv:${out}`]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, `${file}:1: "time" must be an ISO 8601 text or epoch milliseconds of the years 0000 to 9999, got 8639999900000000; line skipped`);
  assert.is(summaryLine(r.stderr), "summary in=1 skipped=1 aggregated=1 out=1");
  assert.is(readFileSync(out, "utf8").split("\n").length, 3);
});

test("an error inside a step: exit 1 after every sink is flushed and the summary is printed", () => {
  const out = join(dir.path, "flushed.csv");
  const r = runCli("cms-nats", ["replay", SAMPLE, "--select", "site", "--to", `csv:${out}`, "--to", "{console: counts, steps: [{stats: {every: 100000001d}}]}"]);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /error: RangeError: Invalid time value/);
  assert.is(summaryLine(r.stderr), "summary in=210 parse_errors=10 aggregated=200 out=200");
  assert.is(readFileSync(out, "utf8").trim().split("\n").length, 201, "every row the CSV got is in it");
});

test.after(() => dir.remove());

test.run();
