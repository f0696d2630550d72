/**
 * nats-sub and nats-pub next to the CMS Go tools, case by case: the Go tools' outputs are recorded
 * facts (test/compat/go_facts.ts); ours are the built commands run with the same arguments against a
 * real nats-server, VictoriaMetrics and Pushgateway, the same messages published. Where Go defines
 * the behaviour, ours must match it; where it was a defect, the row says what ours does instead (the
 * README's table of differences). The table of every row, with what ours did, is printed at the end.
 */
import { connect, type NatsConnection } from "nats";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateStream } from "../../bench/generate.ts";
import { GO_FACTS, type GoFact } from "../compat/go_facts.ts";
import { runCli, startCli } from "../support/cli.ts";
import { type NatsServer, startNatsServer } from "../support/nats_server.ts";
import { poll, skipWithout, tempDir } from "../support/process.ts";
import { PUSHGATEWAY, type Pushgateway, startPushgateway } from "../support/pushgateway.ts";
import { startVictoriaMetrics, VICTORIA_METRICS, type VictoriaMetrics } from "../support/victoria_metrics.ts";

const rows: string[] = [];
/** One row of the comparison: the case, what Go does, what cms-nats did in this run. */
function row(name: string, go: string, now: string): void {
  rows.push(`| ${name} | ${go} | ${now} |`);
}
const code = (text: string) => `\`${text.replace(/\n/g, "⏎").replace(/\|/g, "\\|")}\``;
/** Go's message lines: what it printed on stderr after Listening on. */
const goLines = (f: GoFact) => f.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("Listening on"));
const FACT = (id: string) => GO_FACTS[id];

let nats: NatsServer;
let vm: VictoriaMetrics;
let pg: Pushgateway;
let nc: NatsConnection;
const home = tempDir("compat-home");

/** The Go arguments with the servers of this run: -s, and the HTTP endpoints the facts were recorded against. */
function ours(f: GoFact, http = ""): string[] {
  return f.args.map((a) => (a === "127.0.0.1" ? nats.address : a.replace("http://127.0.0.1:<PORT>", http)));
}

/**
 * Runs our nats-sub as the fact's Go tool ran, publishes the fact's messages once it listens, waits
 * until `done` says its output is complete, then Ctrl-C; its stdout, stderr and exit code.
 */
async function sub(f: GoFact, done: (out: { stdout: string; stderr: string }) => boolean | Promise<boolean>, http = "") {
  const run = startCli("nats-sub", ours(f, http), home.path);
  try {
    await run.waitForStderr(/Listening on/);
    for (const p of f.published) nc.publish(p.subject, p.payload);
    await nc.flush();
    await poll(`the output of ${f.id}`, () => done({ stdout: run.stdout(), stderr: run.stderr() }), 15_000);
    run.signalGroup("SIGINT");
    // read after exit: a window's count line on stderr can arrive before its value lines on stdout
    const code = await run.exited;
    return { stdout: run.stdout(), stderr: run.stderr(), code };
  } finally {
    run.signal("SIGKILL");
  }
}

const countLines = (stderr: string) => [...stderr.matchAll(/^count\((.+)\) (\d+)$/gm)].map((m) => ({ label: m[1], n: Number(m[2]) }));
const total = (stderr: string) => countLines(stderr).reduce((s, c) => s + c.n, 0);
const lines = (text: string) => text.split("\n").filter((l) => l !== "");

const haveAll = !skipWithout("/usr/sbin/nats-server") && !skipWithout(VICTORIA_METRICS) && !skipWithout(PUSHGATEWAY);

if (haveAll) {
  test.before(async () => {
    [nats, vm, pg] = await Promise.all([startNatsServer(), startVictoriaMetrics(), startPushgateway()]);
    nc = await connect({ servers: nats.address });
  });
  test.after(async () => {
    await nc.close();
    await Promise.all([nats.stop(), vm.stop(), pg.stop()]);
    home.remove();
    console.log(`\nGO COMPATIBILITY\n| case | Go tool (recorded) | cms-nats now (this run) |\n|---|---|---|\n${rows.join("\n")}\n`);
  });

  test("-showStats without -statsBy: every interval count(<subject>) N on stderr, every message counted (malformed too)", async () => {
    for (const id of ["01-showStats-no-statsBy", "08a-showStats-malformed"]) {
      const f = FACT(id);
      const r = await sub(f, (o) => total(o.stderr) === f.published.length);
      assert.is(r.code, 0, r.stderr);
      assert.ok(countLines(r.stderr).every((c) => c.label === "cms.wmarchive.exitCode.>"));
      assert.is(total(r.stderr), f.published.length, "every message published, in some window");
      assert.is(r.stdout, "");
      const go = countLines(f.stderr);
      row(id === "01-showStats-no-statsBy" ? "`-showStats SUBJECT` (no `-statsBy`)" : "`count(<subject>) N` with malformed payloads",
        `${go.map((c) => code(`count(${c.label}) ${c.n}`)).join(", ")} on stderr (${go.reduce((s, c) => s + c.n, 0)} of ${f.published.length} published: the message closing a window was not counted)`,
        `${countLines(r.stderr).map((c) => code(`count(${c.label}) ${c.n}`)).join(", ")} on stderr: all ${f.published.length}`);
    }
  });

  test("-showStats -statsBy site: the count line on stderr, the value lines sorted as Go sorts them (byte order, the empty value first) on stdout", async () => {
    const f = FACT("02-showStats-statsBy-site");
    const r = await sub(f, (o) => total(o.stderr) === f.published.length);
    assert.is(r.code, 0, r.stderr);
    const goValues = lines(f.stdout).slice(0, 6); // the first window (Go's second one held one message)
    const ourValues = lines(r.stdout);
    const merged = new Map<string, number>();
    for (const l of ourValues) {
      const [k, n] = [l.slice(0, l.lastIndexOf(": ")), Number(l.slice(l.lastIndexOf(": ") + 2))];
      merged.set(k, (merged.get(k) ?? 0) + n);
    }
    for (const l of goValues) {
      const k = l.slice(0, l.lastIndexOf(": "));
      assert.ok(merged.has(k), `${k} counted`);
    }
    const blocks = r.stdout.split(/(?=^: )/m);
    for (const b of blocks) assert.equal(lines(b), [...lines(b)].sort(), "each window's lines sorted by their text");
    row("`-showStats -statsBy site`", `${code(countLines(f.stderr)[0] ? `count(...) ${countLines(f.stderr)[0].n}` : "")} on stderr, then ${code(goValues.join("\n"))} on stdout`, `the same streams and order: ${code(ourValues.slice(0, 6).join("\n"))}`);
  });

  test("-gatewayUri without -statsBy: starts, prints the messages as Go does, and pushes each window's count (Go pushed nothing)", async () => {
    const f = FACT("03a2-gateway-no-statsBy-no-showStats");
    // looked at while it runs: each 1 s window's push replaces the last, and the window open at Ctrl-C may hold none
    const counted = async () => {
      const text = await (await fetch(`${pg.url}/metrics`)).text();
      const m = [...text.matchAll(/^cms_wmarchive_exitCode_metric_count\{.*\} (\d+)$/gm)].reduce((s, x) => s + Number(x[1]), 0);
      return m >= 1 ? text : undefined;
    };
    let pushed: string | undefined;
    const r = await sub(f, async (o) => lines(o.stdout).length === f.published.length && (pushed ??= await counted()) !== undefined, pg.url);
    assert.is(r.code, 0, r.stderr);
    assert.equal(lines(r.stdout), goLines(f));
    assert.match(pushed!, /job="cms_wmarchive_exitCode_metric"/);
    row("`-gatewayUri` without `-statsBy`", `messages printed; no request at all (the counts dictionary stays empty)`, `messages printed the same; each window's count pushed as \`cms_wmarchive_exitCode_metric_count\``);
  });

  test("-gatewayUri -statsBy site: Go's job and sample names, a message without the attribute keyed empty (<job>_ N)", async () => {
    for (const id of ["03b-gateway-statsBy-site", "04-gatewayJob"]) {
      const f = FACT(id);
      const r = await sub(f, (o) => total(o.stderr) === f.published.length, pg.url);
      assert.is(r.code, 0, r.stderr);
      const job = id === "04-gatewayJob" ? "my_jobmetricx" : "cms_wmarchive_exitCode_metric";
      const goSamples = (f.requests ?? []).map((q) => q.body.trim());
      const text = await poll("the samples on the gateway", async () => {
        const t = await (await fetch(`${pg.url}/metrics`)).text();
        return goSamples.every((s) => t.includes(`${s.split(" ")[0]}{`)) ? t : undefined;
      }, 10_000);
      for (const s of goSamples) {
        const [name] = s.split(" ");
        if (name === `${job}_CLOSER_SITE`) continue;
        assert.match(text, new RegExp(`^${name}\\{instance="",job="${job}"\\} \\d+$`, "m"), name);
      }
      assert.ok(goSamples.every((s) => s.startsWith(`${job}_`)));
      assert.ok((f.requests ?? []).every((q) => q.url === `/metrics/job/${job}`));
      row(id === "04-gatewayJob" ? "`-gatewayJob 'my.job>x'`" : "stats key of a message without the `-statsBy` attribute (Pushgateway)",
        `${code((f.requests ?? [])[0].url)}: ${goSamples.map(code).join(", ")} (one POST per key)`,
        `group job=${job}: ${goSamples.map((s) => code(s.split(" ")[0])).join(", ")} (one push per window, with # TYPE lines)`);
    }
  });

  test("-vmUri: every message one sample named as Go named it (cms.wmarchive.exitCode, dots kept), with its tags", async () => {
    for (const id of ["05a-vmUri", "05b-vmUri-star-subject"]) {
      const f = FACT(id);
      const r = await sub(f, (o) => lines(o.stdout).length === f.published.length, vm.opentsdbUrl);
      assert.is(r.code, 0, r.stderr);
      for (const q of f.requests ?? []) {
        const sent = JSON.parse(q.body) as { metric: string; tags: Record<string, string> };
        const series = await poll(`the series of ${q.body}`, async () => {
          const s = await vm.exportSeries(`{__name__=${JSON.stringify(sent.metric)},exitCode=${JSON.stringify(sent.tags.exitCode)}}`);
          return s.length > 0 ? s : undefined;
        }, 10_000, 200);
        assert.equal({ ...series[0].metric }, { __name__: sent.metric, ...sent.tags });
      }
      row(`\`-vmUri\` metric name for \`${f.args[f.args.length - 1]}\``, code(JSON.parse(f.requests![0].body).metric), `${code(JSON.parse(f.requests![0].body).metric)}, the same tags (batched, timestamped)`);
    }
  });

  test("message lines: -attrs in the payload's key order, repeated keys, a final line end, :-values; -raw and -t as Go prints them", async () => {
    const cases: [string, string][] = [
      ["06a-attrs-order", "`-attrs site,exitCode`"],
      ["06c-attrs-duplicate-key", "duplicate key `site:A   site:B   exitCode:5`"],
      ["06d-default-duplicate-key", "duplicate key, no `-attrs`"],
      ["07c-default-trailing-newline", "payload ending in `\\n`"],
      ["07h-colon-value", "a value holding `:`"],
      ["07d-raw", "`-raw`"],
      ["07f-t", "`-t`"],
      ["07e-raw-t", "`-raw -t`"],
    ];
    for (const [id, name] of cases) {
      const f = FACT(id);
      const r = await sub(f, (o) => lines(o.stdout).length === f.published.length);
      assert.is(r.code, 0, r.stderr);
      const stamp = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /;
      const norm = (l: string) => l.replace("<TIME> ", "").replace(stamp, "");
      assert.equal(lines(r.stdout).map(norm), goLines(f).map(norm), id);
      if (id === "07f-t" || id === "07e-raw-t") assert.ok(lines(r.stdout).every((l) => stamp.test(l)), "timestamped");
      row(name, `${code(goLines(f).join("\n"))} (stderr)`, `${code(lines(r.stdout).join("\n"))} (stdout)`);
    }
  });

  test("a % in a payload is printed as it is (Go used the payload as a printf format)", async () => {
    const f = FACT("07g-percent");
    const r = await sub(f, (o) => lines(o.stdout).length === f.published.length);
    const expected = f.published[0].payload.split("   ").map((p) => p.slice(p.indexOf(":") + 1)).join(" ");
    assert.equal(lines(r.stdout), [expected]);
    row("`%` in a value", code(goLines(f)[0]), code(lines(r.stdout)[0]));
  });

  test("Go's flag syntax: -s=host, -raw=true, -t=false, --raw, -help; typos and bad values as Go reports them, exit 2", async () => {
    for (const id of ["10d-s-equals", "10e-raw-true", "10f-t-false", "10g-dashdash-raw"]) {
      const f = FACT(id);
      const fixed = { ...f, args: f.args.map((a) => (a === "-s=127.0.0.1" ? `-s=${nats.address}` : a)) };
      const r = await sub(fixed, (o) => lines(o.stdout).length === f.published.length);
      assert.equal(lines(r.stdout), goLines(f), id);
    }
    row("Go flag syntax `-s=host`, `-raw=true`, `-t=false`, `--raw`", "accepted", "accepted, the same lines");
    for (const id of ["10i-typo-showstats", "10j-typo-statsby", "10n-statsInterval-bad", "10o-raw-bad-bool", "10p-flag-missing-value", "10s-triple-dash"]) {
      const f = FACT(id);
      const r = runCli("nats-sub", f.args, undefined, { HOME: home.path });
      assert.is(r.code, 2, id);
      assert.is(r.stderr.split("\n")[0], f.stderr.split("\n")[0], id);
      assert.match(r.stderr, "Usage: nats-sub [-s server] [-creds file] [-t] <subject>");
      if (id === "10i-typo-showstats") row("a typo `-showstats`", `${code(f.stderr.split("\n")[0])} + usage, exit ${f.exit}`, `${code(r.stderr.split("\n")[0])}, ${code(r.stderr.split("\n")[1])} + usage, exit ${r.code}`);
    }
    const help = runCli("nats-sub", ["-help"]);
    const goHelp = FACT("10a-help").stderr;
    assert.is(help.code, 0);
    assert.is(help.stderr.split("\n")[0], goHelp.split("\n")[0]);
    // every Go flag is there, with Go's text and default
    for (const block of goHelp.split(/\n(?= {2}-)/).slice(1)) assert.ok(help.stderr.includes(block.trimEnd()), block);
    row("`nats-sub -h` / `-help`", `${code(goHelp.split("\n")[0])} and the flags, stderr, exit 0`, "the same first line and every Go flag with its text and default (`-sep` shows `(default \"   \")`), then the flags beyond Go; exit 0");
  });

  test("-showStats -statsInterval 1 under a steady stream: the counts add up to every message published", async () => {
    const run = startCli("nats-sub", ["-s", nats.address, "-showStats", "-statsInterval", "1", "cms.steady.>"], home.path);
    try {
      await run.waitForStderr(/Listening on/);
      let sent = 0;
      const until = Date.now() + 3500;
      while (Date.now() < until) {
        for (let i = 0; i < 50; i++) nc.publish(`cms.steady.${sent % 7}`, `exitCode:${sent % 3}   seq:${sent++}`);
        await new Promise((r) => setTimeout(r, 5)); // pacing a steady stream, not waiting for a condition
      }
      await nc.flush();
      await poll("every window of the stream to close", () => total(run.stderr()) === sent, 5000);
      run.signalGroup("SIGINT");
      assert.is(await run.exited, 0);
      const windows = countLines(run.stderr());
      assert.ok(windows.length >= 3, `${windows.length} windows`);
      assert.is(total(run.stderr()), sent);
      console.log(`  -showStats -statsInterval 1: ${sent} published, ${windows.map((w) => w.n).join(" + ")} = ${total(run.stderr())} counted`);
    } finally {
      run.signal("SIGKILL");
    }
  });

  test("-vmUri with 20,000 live messages: every one a sample of cms.wmarchive.exitCode in VictoriaMetrics", async () => {
    const n = 20_000;
    const payloads = [...generateStream({ count: n, seed: 11 })].map((l, i) => {
      const r = JSON.parse(l) as { subject: string; data: string };
      // a seq of its own, so two messages in the same millisecond are two series, never one sample
      return { subject: r.subject, data: r.data.startsWith("{") ? r.data.replace(/\}$/, `,"Seq":${i}}`) : `${r.data}   seq:${i}` };
    });
    const run = startCli("nats-sub", ["-s", nats.address, "-vmUri", vm.opentsdbUrl, "cms.wmarchive.exitCode.>"], home.path);
    try {
      await run.waitForStderr(/Listening on/);
      for (const [i, p] of payloads.entries()) {
        nc.publish(p.subject, p.data);
        if (i % 1000 === 999) await nc.flush();
      }
      await nc.flush();
      await run.waitForLines(n);
      run.signalGroup("SIGINT");
      assert.is(await run.exited, 0, run.stderr());
      const stored = await poll(`${n} samples`, async () => {
        const series = await vm.exportSeries('{__name__="cms.wmarchive.exitCode",seq!=""}'); // not the samples of the cases above
        const samples = series.reduce((sum, s) => sum + s.values.length, 0);
        return samples >= n ? samples : undefined;
      }, 30_000, 500);
      assert.is(stored, n);
      console.log(`  -vmUri: ${n} published, ${stored} samples of cms.wmarchive.exitCode read back`);
    } finally {
      run.signal("SIGKILL");
    }
  });

  test("-statsBy site,exitCode counts by both (Go matched no attribute and counted everything under the empty key)", async () => {
    const f = FACT("09-statsBy-comma-list");
    // the counts (stderr) and the -statsBy lines (stdout) are two outputs: wait for both before Ctrl-C
    const r = await sub(f, (o) => total(o.stderr) >= f.published.length && lines(o.stdout).includes("T2_US_MIT 8028: 1"));
    assert.is(r.code, 0, r.stderr);
    row("`-statsBy site,exitCode`", code(lines(f.stdout).join("\n")), code(lines(r.stdout).slice(0, 3).join("\n")));
  });

  test("-creds naming a file that does not exist: said, then used as a password or token (Go: dial tcp: missing address)", async () => {
    const f = FACT("11-creds-missing-file");
    const run = startCli("nats-sub", ours(f), home.path);
    try {
      await run.waitForStderr(/Listening on/);
      assert.match(run.stderr(), "-creds /etc/nats/no-such.creds: no such file; using the text as a password or token");
      row("`-creds /etc/nats/cms.creds` that does not exist", `${code(f.stderr.trim())}, exit ${f.exit}`, code(run.stderr().split("\n")[0]));
    } finally {
      run.signal("SIGKILL");
    }
  });

  test("-s host:port works (Go appended :4222 again); nats-pub prints Go's Published line", async () => {
    const f = FACT("13-s-with-port");
    const r = await sub({ ...f, args: ["-s", nats.address, "cms.wmarchive.exitCode.>"], published: [{ subject: "cms.wmarchive.exitCode.1", payload: "exitCode:1" }] }, (o) => lines(o.stdout).length === 1);
    assert.equal(lines(r.stdout), ["1"]);
    row("`-s 127.0.0.1:4222`", code(f.stderr.trim()), "connects");
    const pub = FACT("12a-pub");
    const p = runCli("nats-pub", ["-s", nats.address, ...pub.args.slice(2)], undefined, { HOME: home.path });
    assert.is(p.code, 0, p.stderr);
    const shape = (t: string) => t.split("\n").find((l) => l.startsWith("Published"))!.replace(/\[[^/]*\//, "[SERVERS/");
    assert.is(shape(p.stderr), shape(pub.stderr));
    row("`nats-pub SUBJECT MSG`", code(pub.stderr.trim()), code(shape(p.stderr).replace("SERVERS", nats.address)));
  });
}

test.run();
