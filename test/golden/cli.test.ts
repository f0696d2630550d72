import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constants as zlib, gunzipSync, gzipSync } from "node:zlib";
import { parse as parseCsv } from "csv-parse/sync";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bin, type Running, runCli, startCli, summaryCounts, summaryLine } from "../support/cli.ts";
import { poll } from "../support/process.ts";

const tmp = mkdtempSync(join(tmpdir(), "cli-"));

test("usage errors exit 2 and say what to write instead", () => {
  const cases: [string[], RegExp][] = [
    [["replay", "samples/mixed-200.jsonl", "--bogus"], /unknown option '--bogus'/],
    [["replay", "samples/mixed-200.jsonl", "--filter", "exitCode: {gtee: 1}"], /--filter 'exitCode: \{gtee: 1\}'.*gtee/],
    [["replay", "samples/mixed-200.jsonl", "--to", "cvs:x.csv"], /did you mean "csv"/],
    [["run"], /say where messages come from: -f pipeline.yaml or --from SOURCE/],
    [["run", "-f", "pipelines/t2-failures.yaml", "--from", "stdin"], /not both/],
    [["replay", "samples/mixed-200.jsonl", "--speed", "fast"], /--speed fast: expected a number \(0: as fast as possible; 1: the recorded pace; N: N times faster\), e\.g\. --speed 10/],
    [["replay", "samples/mixed-200.jsonl", "-sped", "1"], /unknown flag -sped; did you mean --speed\?/],
    [["replay", "samples/mixed-200.jsonl", "--stats", "{by: [site]}"], /every is required: .*e\.g\. every: 60s/],
    [["record", "cms.x", "-o", ""], /error: -o '': must not be empty \(file to write, "-" for stdout\), e\.g\. -o rec\.jsonl/],
    [["record", "cms.x", "-o", "x.jsonl", "--count", "0"], /error: --count 0: must be more than 0/],
    [["replay", "samples/mixed-200.jsonl", "--select", "site", "--filter", "exitCode: 1"], /--filter 'exitCode: 1': there is no attribute "exitCode" here: the messages have site only/],
    [["docs", "victoriametrix"], /no source, step or sink is called "victoriametrix"; did you mean victoriametrics\?/],
    [["replay", "samples/mixed-200.jsonl", "--to", "csv: {path: x.csv, apend: true}"], /apend: unknown field; did you mean append\? Fields: path, append, overwrite \(got true\)/],
    [["replay", "samples/mixed-200.jsonl", "--to", "csv: {path: x.csv, bogus: 1}"], /bogus: unknown field\. Fields: path, append, overwrite \(got 1\)/],
  ];
  for (const [args, message] of cases) {
    const r = runCli("cms-nats", args);
    assert.is(r.code, 2, args.join(" "));
    assert.match(r.stderr, message);
    assert.is(r.stdout, "");
  }
});

test("runtime failures exit 1 with a clear message before any data flows", () => {
  const missing = runCli("cms-nats", ["replay", "samples/no-such-file.jsonl"]);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /error: cannot read samples\/no-such-file.jsonl: ENOENT/);
  const unwritable = runCli("cms-nats", ["replay", "samples/mixed-200.jsonl", "--to", "csv:/nonexistent-dir/out.csv"]);
  assert.is(unwritable.code, 1);
  assert.match(unwritable.stderr, /error: csv \/nonexistent-dir\/out.csv: cannot open for writing: ENOENT/);
});

test("stdin source: one payload per line", () => {
  const r = runCli("cms-nats", ["run", "--from", "stdin", "--select", "exitCode,site"], "site:T2_US_MIT   exitCode:8028\n\nnot a payload\n{\"Site\":\"T1_US_FNAL\",\"ExitCode\":50660}");
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "8028 T2_US_MIT\n50660 T1_US_FNAL\n");
  assert.is(summaryLine(r.stderr), "summary in=3 parse_errors=1 out=2");
});

test("CSV round trip: commas, quotes, newlines, colons and non-ASCII come back exactly", () => {
  const values = ['a,b', 'say "hi"', "two\nlines", "srm://host:8443/x", "Zürich ✓", " padded ", ""];
  const lines = values.map((v, i) =>
    JSON.stringify({ time: 1763733600000 + i, subject: "cms.test", data: JSON.stringify({ Site: `T2_X_${i}`, Note: v }) }),
  );
  const file = join(tmp, "tricky.jsonl");
  writeFileSync(file, lines.join("\n") + "\n");
  const out = join(tmp, "tricky.csv");
  const r = runCli("cms-nats", ["replay", file, "--select", "site,note", "--to", `csv: {path: ${out}}`]);
  assert.is(r.code, 0, r.stderr);
  const rows: string[][] = parseCsv(readFileSync(out));
  assert.equal(rows, [["site", "note"], ...values.map((v, i) => [`T2_X_${i}`, v])]);
});

test("append: rows go under the existing header, written once", () => {
  const out = join(tmp, "append.csv");
  const args = ["replay", "samples/mixed-200.jsonl", "--filter", "exitCode: 8028", "--select", "site,exitCode", "--to", `csv: {path: ${out}, append: true}`];
  const first = runCli("cms-nats", args);
  const second = runCli("cms-nats", args);
  assert.is(second.code, 0, second.stderr);
  const rows: string[][] = parseCsv(readFileSync(out));
  const n = Number(/out=(\d+)/.exec(first.stderr)![1]);
  assert.ok(n > 0);
  assert.is(rows.length, 1 + 2 * n);
  assert.equal(rows[0], ["site", "exitCode"]);
  assert.ok(rows.slice(1).every((row) => row[1] === "8028"));
});

test("a run that completes with no message to write still leaves each of its files: the CSV its header, the recording empty", () => {
  const csv = join(tmp, "none.csv");
  const rec = join(tmp, "none.jsonl");
  const r = runCli("cms-nats", ["replay", "samples/mixed-200.jsonl", "--filter", "exitCode: 99999", "--select", "site,exitCode", "--to", `csv:${csv}`, "--to", `record:${rec}`]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, / out=0\b/);
  assert.is(readFileSync(csv, "utf8"), "site,exitCode\n");
  assert.is(readFileSync(rec, "utf8"), "");
});

test("Ctrl-C mid-replay (SIGINT to the process group): exit 0 after every sink is flushed, nothing read is lost", async () => {
  const out = join(tmp, "interrupted.csv");
  // speed 1: the 200 messages span about 36 s, so the signal lands mid-stream
  const run = startCli("cms-nats", ["replay", "samples/mixed-200.jsonl", "--speed", "1", "--select", "site,exitCode", "--to", `csv:${out}`, "--to", "console"], tmp);
  await run.waitForLines(3);
  run.signalGroup("SIGINT");
  assert.is(await run.exited, 0, run.stderr());
  assert.match(run.stderr(), /SIGINT: stopping, flushing every sink/);
  const n = Number(/summary in=\d+ (?:parse_errors=\d+ )?out=(\d+)/.exec(run.stderr())?.[1]);
  assert.ok(n >= 3 && n < 200, `out=${n}`);
  const rows: string[][] = parseCsv(readFileSync(out));
  assert.is(rows.length, n + 1);
  assert.is(run.stdout().trim().split("\n").length, n);
});

/** The exit code of a run stopped while its producer still holds stdin open: a stop must not wait for more input. */
async function exitsWhileOpen(run: Running): Promise<number | null> {
  let code: number | null | undefined;
  void run.exited.then((c) => (code = c));
  await poll("it to exit, its stdin still open", () => code !== undefined, 10_000);
  return code!;
}

/** Gives `input` to a run's stdin (its end left open) and waits until the run has read all of it. */
async function inputRead(run: Running, input: string): Promise<void> {
  // the bytes it has read (Linux /proc): its start-up reads end with its own bundle; the next are the input's
  const rchar = () => Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${run.pid}/io`, "utf8"))![1]);
  let last = -1;
  const started = await poll("its start-up reads to end", () => {
    const [before, now] = [last, (last = rchar())];
    return now === before && now >= statSync(bin("cms-nats")).size && now;
  }, 15_000, 100);
  run.input(input);
  await poll("the input to be read", () => rchar() >= started + Buffer.byteLength(input));
}

test("SIGTERM to replay - whose producer stopped mid-gzip and writes nothing more: it exits at once with every whole line it read, no error, the cut line not reported", async () => {
  const { cut, expected } = cutGzip();
  const n = summaryCounts(expected.stderr).in;
  const run = startCli("cms-nats", ["replay", "-", "--to", "console"], tmp);
  try {
    run.input(cut); // and the producer keeps its end open
    await run.waitForLines(expected.stdout.split("\n").length - 1);
    run.signal("SIGTERM");
    assert.is(await exitsWhileOpen(run), 0, run.stderr());
    assert.is(run.stdout(), expected.stdout);
    assert.is(summaryLine(run.stderr()), summaryLine(expected.stderr));
    assert.match(run.stderr(), `summary in=${n} `);
    assert.not.match(run.stderr(), /error:|skipped/);
  } finally {
    run.signal("SIGKILL");
  }
});

/** The first half of a gzip recording, cut inside a line, and what replay - gives of its whole lines. */
function cutGzip() {
  const gz = gzipSync(readFileSync("samples/mixed-200.jsonl"));
  const cut = gz.subarray(0, gz.length >> 1);
  const text = gunzipSync(cut, { finishFlush: zlib.Z_SYNC_FLUSH }).toString();
  const whole = text.slice(0, text.lastIndexOf("\n") + 1);
  assert.ok(whole.split("\n").length > 10 && whole.length < text.length, "the cut falls inside a line");
  return { cut, expected: runCli("cms-nats", ["replay", "-", "--to", "console"], whole) };
}

test("replay - of a gzip stream that ends short, with no stop: its whole lines handed on, then exit 1 saying so", () => {
  const { cut, expected } = cutGzip();
  const r = runCli("cms-nats", ["replay", "-", "--to", "console"], cut);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, "error: reading - failed: unexpected end of file");
  assert.is(r.stdout, expected.stdout);
});

test("SIGTERM just after a gzip stdin ended short (its producer died of the same Ctrl-C first): the cut is the stop's, exit 0", async () => {
  const { cut, expected } = cutGzip();
  const run = startCli("cms-nats", ["replay", "-", "--to", "console"], tmp);
  try {
    run.input(cut);
    await run.waitForLines(expected.stdout.split("\n").length - 1);
    run.endInput("");
    // the end reaches the replay first, as when the signal that stopped the producer is handled after it
    await new Promise((r) => setTimeout(r, 20));
    run.signal("SIGTERM");
    assert.is(await run.exited, 0, run.stderr());
    assert.is(run.stdout(), expected.stdout);
    assert.not.match(run.stderr(), /error:/);
  } finally {
    run.signal("SIGKILL");
  }
});

test("SIGTERM to replay - --stats whose producer writes nothing more: it exits at once, its rows those of the lines it read", async () => {
  const out = join(tmp, "stopped-stdin.csv");
  const ref = join(tmp, "stopped-stdin-ref.csv");
  const lines = readFileSync("samples/mixed-200.jsonl", "utf8").split("\n");
  const input = lines.join("\n"); // less than a read-ahead chunk: held until the input ends or the run stops
  const run = startCli("cms-nats", ["replay", "-", "--stats", "{every: 60s, by: [site]}", "--to", `csv:${out}`], tmp);
  try {
    await inputRead(run, input);
    run.signal("SIGTERM");
    assert.is(await exitsWhileOpen(run), 0, run.stderr());
    const n = summaryCounts(run.stderr()).in;
    assert.is(n, lines.length - 1, "every line it read");
    const r = runCli("cms-nats", ["replay", "-", "--stats", "{every: 60s, by: [site]}", "--to", `csv:${ref}`], lines.slice(0, n).join("\n") + "\n");
    assert.is(r.code, 0, r.stderr);
    assert.is(readFileSync(out, "utf8"), readFileSync(ref, "utf8"));
  } finally {
    run.signal("SIGKILL");
  }
});

test("SIGTERM to a paced replay merging - with a file: every line it read of stdin is still handed on, merged in time order", async () => {
  const lines = readFileSync("samples/mixed-200.jsonl", "utf8").trimEnd().split("\n");
  const file = join(tmp, "merged-file.jsonl");
  writeFileSync(file, lines.filter((_, i) => i % 2 === 1).join("\n") + "\n");
  const input = lines.filter((_, i) => i % 2 === 0).join("\n") + "\n";
  const args = ["replay", "-", file, "--to", "console"];
  const whole = runCli("cms-nats", args, input);
  // speed 1: the lines span about 36 s, so the stop comes with most of what was read not yet handed on
  const run = startCli("cms-nats", [...args, "--speed", "1"], tmp);
  try {
    await inputRead(run, input);
    await run.waitForLines(2);
    run.signal("SIGTERM");
    assert.is(await exitsWhileOpen(run), 0, run.stderr());
    const { in: n } = summaryCounts(run.stderr());
    assert.ok(n >= input.split("\n").length - 1 && n < lines.length, `in=${n}: every line of stdin, not all of the file`);
    assert.ok(whole.stdout.startsWith(run.stdout()), "what a whole run gives, up to where stdin was cut");
  } finally {
    run.signal("SIGKILL");
  }
});

test("SIGTERM to run --from stdin whose producer writes nothing more: it exits at once, every line it read handed on", async () => {
  const run = startCli("cms-nats", ["run", "--from", "stdin", "--parse", "auto", "--to", "console"], tmp);
  try {
    run.input("site:T2_X   exitCode:1\nsite:T2_Y   exitCode:2\n"); // and the producer keeps its end open
    await run.waitForLines(2);
    run.signal("SIGTERM");
    assert.is(await exitsWhileOpen(run), 0, run.stderr());
    assert.is(run.stdout(), "T2_X 1\nT2_Y 2\n");
    assert.match(run.stderr(), "summary in=2 out=2");
  } finally {
    run.signal("SIGKILL");
  }
});

for (const threads of ["auto", "2"]) test(`replay - --stats --threads ${threads} from a producer that writes slowly: a window's rows come out once the window closes, not when the input ends`, async () => {
  const input = readFileSync("samples/exitcodes-20k.jsonl", "utf8").split("\n").slice(0, 600).join("\n") + "\n";
  // auto reads the first 8 MB of a stream here; threads take chunks of 512 KB, or what came when no more does
  const args = ["replay", "-", "--stats", "{every: 60s, by: [site]}", "--threads", threads, "--to", "console"];
  const expected = runCli("cms-nats", args, input).stdout.split("\n");
  const firstWindow = expected.filter((l) => l.startsWith(expected[0].split(" ")[0]));
  assert.ok(firstWindow.length > 0 && firstWindow.length < expected.length - 1, "the lines span two windows");
  const run = startCli("cms-nats", args, tmp);
  try {
    run.input(input); // and the producer keeps its end open, as `tail -f rec.jsonl` does
    await run.waitForLines(firstWindow.length);
    assert.is(run.stdout(), firstWindow.join("\n") + "\n");
    run.endInput("");
    assert.is(await run.exited, 0, run.stderr());
    assert.is(run.stdout(), expected.join("\n"));
  } finally {
    run.signal("SIGKILL");
  }
});

test.run();
