/**
 * Every example the commands show, run as written: the `Examples:` of `cms-nats --help`, of each
 * command's `--help`, of `nats-sub -h` and `nats-pub -h`, and the examples `cms-nats docs KIND`
 * gives for each kind (wrapped in a command that feeds it). They run through a shell, from a work
 * directory outside the repository, with the built commands on PATH, against a real nats-server,
 * VictoriaMetrics and Pushgateway: hosts the examples name (cms-nats.cern.ch, localhost:8428...)
 * are pointed at those, and so are commands that would reach the default server (cms-nats.cern.ch):
 * they get `-s` or `servers:` of the local one, whose JetStream has a stream CMS. Live examples get
 * messages published to them, then Ctrl-C. Each must end with exit 0. The examples of one help text
 * run in order, in a directory of their own; those groups and the docs' examples (each alone) run
 * a few at a time.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "nats";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bin, type Command, ROOT } from "../support/cli.ts";
import { startNatsServer } from "../support/nats_server.ts";
import { poll, skipWithout, tempDir } from "../support/process.ts";
import { PUSHGATEWAY, startPushgateway } from "../support/pushgateway.ts";
import { startVictoriaMetrics, VICTORIA_METRICS } from "../support/victoria_metrics.ts";

const COMMANDS: Command[] = ["cms-nats", "nats-sub", "nats-pub"];
const work = tempDir("examples");
const home = join(work.path, "home");
const bins = join(work.path, "bin");
for (const d of [home, join(home, ".nats"), bins]) mkdirSync(d, { recursive: true });
writeFileSync(join(home, ".nats", "cms-auth"), "cms:unused\n", { mode: 0o600 });
for (const c of COMMANDS) symlinkSync(bin(c), join(bins, c));
const env = { ...process.env, PATH: `${bins}:${process.env.PATH}`, HOME: home, TZ: "UTC" };

/** A directory of its own for each group of examples, with samples/ and pipelines/ linked in. */
function workdir(group: string): string {
  const dir = join(work.path, `run${group}`);
  mkdirSync(dir, { recursive: true });
  for (const name of ["samples", "pipelines"]) if (!existsSync(join(dir, name))) symlinkSync(join(ROOT, name), join(dir, name));
  return dir;
}

function helpText(command: Command, args: string[]): string {
  const r = spawnSync(bin(command), args, { encoding: "utf8", env });
  return r.stdout + r.stderr;
}

/** The example command lines of a help text: the indented lines after `Examples:`. */
function helpExamples(text: string): string[] {
  const at = text.indexOf("Examples:");
  if (at < 0) return [];
  return text.slice(at).split("\n").slice(1).filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim());
}

const cmsHelp = helpText("cms-nats", ["--help"]);
const subcommands = [...cmsHelp.matchAll(/^ {2}(\w+) {2,}/gm)].map((m) => m[1]);
/** The examples of each help text, in order: they may build on each other (record, then replay what it wrote). */
const fromHelp: string[][] = [
  helpExamples(cmsHelp),
  ...subcommands.map((c) => helpExamples(helpText("cms-nats", [c, "--help"]))),
  helpExamples(helpText("nats-sub", ["-h"])),
  helpExamples(helpText("nats-pub", ["-h"])),
];

/** `cms-nats docs`' kinds, and each kind's examples wrapped in a command that feeds it. */
const kindList = spawnSync(bin("cms-nats"), ["docs"], { encoding: "utf8" }).stdout;
const fromDocs: string[] = [];
for (const [, role, block] of kindList.matchAll(/^(sources|steps|sinks):\n((?: {2}.*\n)+)/gm)) {
  for (const [, kind] of block.matchAll(/^ {2}(\S+)/gm)) {
    const docs = spawnSync(bin("cms-nats"), ["docs", kind], { encoding: "utf8" }).stdout;
    // `nats` is a source and a sink: each section's examples, with the flag they are written for
    for (const [, flagged] of docs.matchAll(/examples:\n((?: {2}.*\n)+)/g)) {
      for (const line of flagged.split("\n").map((l) => l.trim()).filter((l) => l !== "")) {
        if (role === "sources" && line.startsWith("--from")) fromDocs.push(`cms-nats run ${line} --to csv:-`);
        if (role === "steps" && !line.startsWith("--to") && !line.startsWith("--from")) fromDocs.push(`cms-nats replay samples/mixed-200.jsonl ${line} --to csv:-`);
        if (role === "sinks" && line.startsWith("--to")) {
          const windows = /counts|bars|pushgateway|chart/.test(line) ? "--stats '{every: 10s, by: [site]}' " : "";
          fromDocs.push(`cms-nats replay samples/mixed-200.jsonl ${windows}${line}`);
        }
      }
    }
  }
}

const haveServers = !skipWithout("/usr/sbin/nats-server") && !skipWithout(VICTORIA_METRICS) && !skipWithout(PUSHGATEWAY);

test("the help texts and docs show examples, for every command and kind", () => {
  assert.ok(subcommands.length >= 6, subcommands.join(","));
  assert.ok(fromHelp.flat().length >= 20, `${fromHelp.flat().length} examples in help`);
  assert.ok(fromDocs.length >= 25, `${fromDocs.length} examples in docs`);
});

if (haveServers) {
  test("every example runs as written and ends with exit 0", async () => {
    const [nats, vm, pg] = await Promise.all([startNatsServer({ jetstream: true }), startVictoriaMetrics(), startPushgateway()]);
    const nc = await connect({ servers: nats.address });
    await (await nc.jetstreamManager()).streams.add({ name: "CMS", subjects: ["cms.>"] });
    await publishSome(nc); // stored: the JetStream examples read them
    const failures: string[] = [];
    try {
      const hosts: [RegExp, string][] = [
        [/cms-nats\.cern\.ch|127\.0\.0\.1:4222|localhost:4222/g, nats.address],
        [/http:\/\/(localhost|vm):8428/g, vm.url],
        [/http:\/\/(localhost|vm):4242/g, vm.opentsdbUrl],
        [/http:\/\/(localhost|pushgw):9091/g, pg.url],
        [/-rootCAs=\S+ /g, ""], // the CERN CAs: this server has no TLS (TLS is tested in nats_auth.test.ts)
        [/\/etc\/nats\/cms-auth/g, join(home, ".nats", "cms-auth")],
      ];
      const pointed = (example: string) => {
        let command = example;
        for (const [re, to] of hosts) command = command.replace(re, to);
        // what reaches the default server (no -s, no servers:) is pointed at this one too
        return command
          .split("|")
          .map((part) => (/ -s /.test(part) ? part : part.replace(/\b(nats-sub|nats-pub|cms-nats (?:sub|pub|record))(?= )/, `$1 -s ${nats.address}`)))
          .join("|")
          .replace(/"nats:([^"]+)"/g, `'nats: {subject: "$1", servers: "${nats.address}"}'`)
          .replace(/\bjetstream:(\w+)/g, `'jetstream: {stream: $1}'`)
          .replace(/'(nats|jetstream): \{([^']*)\}'/g, (m, kind: string, inner: string) => (inner.includes("servers") ? m : `'${kind}: {servers: "${nats.address}", ${inner}}'`));
      };
      const groups = [...fromHelp.map((list, i) => ({ dir: `help${i}`, examples: list })), ...fromDocs.map((e, i) => ({ dir: `docs${i}`, examples: [e] }))];
      await inParallel(groups, 4, async ({ dir, examples }) => {
        for (const example of examples) {
          const command = pointed(example);
          const r = await runExample(command, workdir(dir), () => publishSome(nc));
          if (r.code !== 0) failures.push(`${example}\n    ran: ${command}\n    exit ${r.code}: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
        }
      });
    } finally {
      await nc.close();
      await Promise.all([nats.stop(), vm.stop(), pg.stop()]);
    }
    assert.equal(failures, []);
  });
}

/** Runs `job` on each item, at most `n` at a time. */
async function inParallel<T>(items: readonly T[], n: number, job: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await job(items[next++]);
  };
  await Promise.all(Array.from({ length: n }, lane));
}

/** Publishes a few CMS messages on the subjects the examples listen to. */
async function publishSome(nc: Awaited<ReturnType<typeof connect>>): Promise<void> {
  for (let i = 0; i < 150; i++) {
    nc.publish(`cms.wmarchive.exitCode.${8028 + (i % 3)}`, `campaign:C   exitCode:${8028 + (i % 3)}   site:T2_US_MIT   seq:${i}`);
    nc.publish("cms.wmarchive.site.T2.US.MIT", `exitCode:8028   site:T2_US_MIT   seq:${i}`);
  }
  await nc.flush();
}

/**
 * Runs one example through bash, in the work directory. One that listens (`Listening on`, or
 * `Consuming` a JetStream stream) gets
 * messages, then Ctrl-C (SIGINT to its process group) once its output has settled.
 */
async function runExample(command: string, cwd: string, publish: () => Promise<void>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn("bash", ["-c", command], { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let stderr = "";
  let output = 0;
  child.stdout.on("data", (c: Buffer) => (output += c.length));
  child.stderr.on("data", (c: Buffer) => ((stderr += c.toString()), (output += c.length)));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  try {
    // an example that ends on its own may take long on a loaded machine: top over the 20k sample renders 61 frames (14 s alone here)
    const listening = await poll("the example to end or listen", () => (done ? "ended" : /Listening on|Consuming \[/.test(stderr) ? "listening" : undefined), 120_000);
    if (listening === "listening") {
      await publish();
      let last = -1;
      await poll("its output to settle", () => {
        if (done) return true;
        const settled = output === last;
        last = output;
        return settled;
      }, 10_000, 300);
      // one that has printed its summary is ending on its own (`stop: caught-up`): a Ctrl-C now would
      // race its exit (it ended killed by the signal once, on a loaded machine); it must still end
      if (/^summary /m.test(stderr)) await poll("the example to exit after its summary", () => done, 30_000);
      if (!done) process.kill(-child.pid!, "SIGINT");
    }
    return { code: await exited, stderr };
  } finally {
    if (!done) process.kill(-child.pid!, "SIGKILL");
  }
}

test.after(() => work.remove());

test.run();
