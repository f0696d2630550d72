/**
 * Shutdown without loss, against a real nats-server: a steady stream, a signal mid-stream, and every
 * message a process says it received (its own `summary in=N` on stderr) is in its outputs; exit 0.
 * A second signal while a sink cannot flush exits 1 and names what was not flushed.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { connect } from "nats";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startCli, summaryCounts } from "../support/cli.ts";
import { skipWithoutNatsServer, startNatsServer } from "../support/nats_server.ts";
import { tempDir } from "../support/process.ts";
import { seqOf, steadyPublisher } from "../support/publisher.ts";
import { recordingServer } from "../support/recording_server.ts";

const PASSWORD = "shutd0wn-Pw";

/** `in` and `out` of the summary line a process printed last; nothing dropped. */
function summary(stderr: string): { in: number; out: number } {
  const c = summaryCounts(stderr);
  assert.equal([c.parse_errors, c.filtered], [0, 0], stderr);
  return { in: c.in, out: c.out };
}

/** The numbers 1..n: a subscriber that started before the first message and lost none has exactly these. */
function consecutive(seqs: number[]): boolean {
  return seqs.every((s, i) => i === 0 || s === seqs[i - 1] + 1);
}

if (!skipWithoutNatsServer()) {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    test(`${signal} mid-stream: nats-sub, record and run --stats flush every message they received, exit 0`, async () => {
      const server = await startNatsServer({ config: `authorization { user: cms, password: "${PASSWORD}" }` });
      const home = tempDir("home");
      const authFile = join(home.path, "cms-auth");
      writeFileSync(authFile, `cms:${PASSWORD}\n`, { mode: 0o600 });
      const conn = ["-s", server.address, "-cmsAuth", authFile];
      const files = { rec: join(home.path, "rec.jsonl"), csv: join(home.path, "stats.csv"), rows: join(home.path, "rows.jsonl") };
      const from = `{nats: {subject: "cms.steady.>", servers: "${server.address}", cmsAuth: "${authFile}"}}`;
      const sub = startCli("nats-sub", [...conn, "-raw", "cms.steady.>"], home.path);
      const rec = startCli("cms-nats", ["record", "cms.steady.>", ...conn, "-o", files.rec], home.path);
      const run = startCli("cms-nats", ["run", "--from", from, "--parse", "auto", "--stats", "{every: 250ms, by: [site]}", "--to", `csv:${files.csv}`, "--to", `record:${files.rows}`], home.path);
      const procs = [sub, rec, run];
      const nc = await connect({ servers: server.address, user: "cms", pass: PASSWORD });
      try {
        await Promise.all(procs.map((p) => p.waitForStderr(/Listening on/)));
        const pub = steadyPublisher(nc, "cms.steady");
        await sub.waitForLines(3000); // well into the stream; the publisher goes on
        // Ctrl-C reaches every process of a terminal's job; a supervisor signals the process itself
        for (const p of procs) (signal === "SIGINT" ? p.signalGroup(signal) : p.signal(signal));
        const codes = await Promise.all(procs.map((p) => p.exited));
        await pub.stop();
        for (const [i, p] of procs.entries()) {
          assert.is(codes[i], 0, p.stderr());
          assert.match(p.stderr(), `${signal}: stopping, flushing every sink`);
        }

        // nats-sub: one line per message received, numbered, none missing in between
        const subIn = summary(sub.stderr()).in;
        const lines = sub.stdout().trim().split("\n");
        assert.is(lines.length, subIn);
        assert.ok(lines[subIn - 1].startsWith(`[#${subIn}] `));
        assert.ok(consecutive(lines.map(seqOf)), "nats-sub: no gap");
        assert.ok(subIn < pub.sent(), `stopped mid-stream: ${subIn} of ${pub.sent()}`);

        // record: one valid recorded line per message received
        const recIn = summary(rec.stderr()).in;
        const recorded = readFileSync(files.rec, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { data: string });
        assert.is(recorded.length, recIn);
        assert.ok(consecutive(recorded.map((r) => seqOf(r.data))), "record: no gap");

        // run --stats: the windows' counts add up to what it received, the last open window included
        const { in: runIn, out: runOut } = summary(run.stderr());
        const rows = parseCsv(readFileSync(files.csv), { columns: true }) as { site: string; count: string }[];
        assert.is(rows.length, runOut);
        assert.is(rows.reduce((sum, r) => sum + Number(r.count), 0), runIn);
        assert.is(readFileSync(files.rows, "utf8").trim().split("\n").length, runOut);
        console.log(`  ${signal}: nats-sub in=${subIn} lines=${lines.length}; record in=${recIn} lines=${recorded.length}; run in=${runIn} csv sum=${runIn} rows=${runOut}; published ${pub.sent()}`);
      } finally {
        for (const p of procs) p.signal("SIGKILL");
        await nc.close();
        await server.stop();
        home.remove();
      }
    });
  }
}

test("a second SIGINT while an HTTP sink cannot flush: exit 1 at once, naming what was not flushed", async () => {
  const never = await recordingServer(() => new Promise(() => undefined)); // takes requests, never answers
  const home = tempDir("home");
  const csv = join(home.path, "out.csv");
  const vm = `victoriametrics: {url: ${never.url}, flush: 10ms, timeout: 60s}`;
  const run = startCli("cms-nats", ["run", "--from", "stdin", "--parse", "auto", "--to", vm, "--to", `csv:${csv}`, "--to", "console"], home.path);
  try {
    const input = Array.from({ length: 100 }, (_, i) => `seq:${i + 1}   site:T2_US_MIT`).join("\n") + "\n";
    run.endInput(input); // the end of input starts the flush: it hangs on the server that never answers
    await run.waitForLines(100);
    run.signalGroup("SIGINT");
    await run.waitForStderr(/SIGINT: stopping, flushing every sink/);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a person's second Ctrl-C, not npx passing the first one on
    run.signalGroup("SIGINT");
    assert.is(await run.exited, 1);
    const warning = run.stderr().split("\n").find((l) => l.startsWith("SIGINT again:"));
    assert.ok(warning, run.stderr());
    assert.match(warning, `SIGINT again: exiting without flushing; not flushed: victoriametrics ${never.url}/api/v1/import: 100 messages queued or in flight`);
    assert.not.match(warning, /console/, "the console had flushed");
    // the CSV was flushed by the first signal, unless the warning says otherwise; either way its rows are whole
    const rows = parseCsv(readFileSync(csv), { columns: true }) as { seq: string }[];
    if (!/csv /.test(warning)) assert.is(rows.length, 100);
    assert.equal(rows.map((r) => Number(r.seq)), Array.from({ length: rows.length }, (_, i) => i + 1));
    console.log(`  second SIGINT: in=100, console 100 lines, csv ${rows.length} rows, warning: ${warning}`);
  } finally {
    run.signal("SIGKILL");
    await never.close();
    home.remove();
  }
});

test.run();
