/**
 * The commands as users start them: the built bin entries, `npx` inside a clone, a bundle copied
 * alone into an empty folder, and the packed tarball installed into a prefix of its own; run from
 * `/` or a temp dir. Ctrl-C as a terminal sends it (to the process group), SIGTERM as a supervisor
 * sends it (to the process alone); what every process of a command shows in /proc/PID/cmdline; a
 * reader that goes away (`| head -3`).
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliDecompressSync } from "node:zlib";
import { parse as parseCsv } from "csv-parse/sync";
import { connect, type NatsConnection } from "nats";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bin, type Command, ROOT, startCli } from "../support/cli.ts";
import { skipWithoutNatsServer, withNatsServer } from "../support/nats_server.ts";
import { poll, tempDir } from "../support/process.ts";
import { steadyPublisher } from "../support/publisher.ts";

const COMMANDS: Command[] = ["cms-nats", "nats-sub", "nats-pub"];
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const SAMPLE = join(ROOT, "samples/mixed-200.jsonl");
const EXPECTED_VALUES = readFileSync(join(ROOT, "samples/expected/mixed-200.values.txt"), "utf8");

/** The processes of a process group still alive (zombies left out), from /proc. */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // state ppid pgrp ...
      if (Number(fields[2]) === pgid && fields[0] !== "Z") out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

test("--version on every command, the package's version", () => {
  for (const c of COMMANDS) {
    const r = spawnSync(bin(c), ["--version"], { cwd: "/", encoding: "utf8" });
    assert.is(r.status, 0, `${c}: ${r.stderr}`);
    assert.is(r.stdout, `${VERSION}\n`, c);
  }
});

test("every bundle, and each module it carries as text (the reading thread's; the drawing ones, nats and prom-client, compressed), is ASCII (V8 keeps a source as long as it runs, two bytes a character once one is beyond Latin-1), has a name for stack traces and does not name the build directory", () => {
  for (const c of COMMANDS) {
    const code = readFileSync(bin(c), "latin1");
    const plain = [...code.matchAll(/"data:text\/javascript;base64,([A-Za-z0-9+/=]{10000,})"/g)].map((m) => Buffer.from(m[1], "base64").toString("latin1"));
    const packed = [...code.matchAll(/brotliDecompressSync\d*\(Buffer\.from\("([A-Za-z0-9+/=]{10000,})", "base64"\)\)/g)].map((m) => brotliDecompressSync(Buffer.from(m[1], "base64")).toString("latin1"));
    assert.equal([plain.length, packed.length], c === "cms-nats" ? [1, 4] : [1, 0], `${c}: modules carried`);
    const carried = [...plain, ...packed];
    for (const [i, text] of [code, ...carried].entries()) {
      const at = text.search(/[^\x00-\x7f]/);
      assert.is(at, -1, `${c}${i > 0 ? ` (carried module ${i})` : ""}: ${JSON.stringify(text.slice(at - 40, at + 10))}`);
    }
    // run from a data: URL, a module unnamed would have its whole base64 URL in every stack frame
    for (const [i, text] of carried.entries()) assert.match(text, /\n\/\/# sourceURL=carried:[\w.-]+\n$/, `${c}: carried module ${i + 1} names itself for stack traces`);
    // module names are relative to the project: a bundle is the same wherever it was built
    for (const [i, text] of [code, ...carried].entries()) assert.not.ok(text.includes(ROOT.replace(/\/$/, "")), `${c}${i > 0 ? ` (carried module ${i})` : ""}: names the build directory`);
  }
});

test("every bundle holds only the parts of rxjs and zod its code uses (each bundled from ES modules and tree-shaken: V8 parses a whole bundle at every start)", () => {
  for (const c of COMMANDS) {
    const code = readFileSync(bin(c), "latin1");
    // esbuild heads each bundled module with a comment naming its file
    const modules = [...code.matchAll(/^\/\/ (node_modules\/(?:rxjs|zod)\/\S+)$/gm)].map((m) => m[1]);
    assert.ok(modules.some((m) => m.startsWith("node_modules/rxjs/dist/esm/")), `${c}: rxjs from its ES modules`);
    assert.equal(modules.filter((m) => m.startsWith("node_modules/rxjs/dist/cjs/")), [], `${c}: none of rxjs's CommonJS build, which cannot be tree-shaken`);
    assert.equal(modules.filter((m) => /zod\/v4\/locales\/(?!en\.js|index\.js)/.test(m)), [], `${c}: zod's English messages only (import * as z: z.locales is left out)`);
    assert.equal(modules.filter((m) => /exhaustMap|from-json-schema/.test(m)), [], `${c}: no rxjs operator or zod feature the code does not use`);
  }
});

test("cms-nats compiles a module it carries as text only when the run uses it: none for a replay, nats for pub, Vega for a chart", () => {
  const dir = tempDir("carried");
  // the carried packages are compiled as CommonJS with vm.compileFunction: a preload reports each
  const preload = join(dir.path, "report.cjs");
  writeFileSync(preload, 'const vm = require("node:vm"); const compile = vm.compileFunction; vm.compileFunction = function (code, params, opts) { process.stderr.write(`compiled ${opts.filename}\\n`); return compile.apply(this, arguments); };\n');
  // and node's ESM loader logs each module it stores (NODE_DEBUG=esm): the carried ES modules are data: URLs
  const carried = (args: string[]) => {
    const r = spawnSync(process.execPath, ["--require", preload, bin("cms-nats"), ...args], { cwd: "/", encoding: "utf8", env: { ...process.env, NODE_DEBUG: "esm" } });
    const modules = [...r.stderr.matchAll(/Storing data:text\/javascript;base64,([A-Za-z0-9+/=]+)/g)].map((m) => Buffer.from(m[1], "base64").toString("latin1"));
    return { modules, packages: [...r.stderr.matchAll(/^compiled (carried:\S+)$/gm)].map((m) => m[1]) };
  };
  try {
    assert.equal(carried(["replay", SAMPLE, "--select", "site,exitCode"]), { modules: [], packages: [] }, "replay");
    assert.equal(carried(["pub", "-s", "127.0.0.1:1", "cms.test", "x"]), { modules: [], packages: ["carried:nats"] }, "pub"); // refused at once, after the client is loaded
    const chart = carried(["replay", SAMPLE, "--stats", "{every: 60s, by: [site]}", "--to", `chart: {path: ${join(dir.path, "c.svg")}}`]);
    assert.equal([chart.modules.map((code) => code.includes("node_modules/vega")), chart.packages], [[true], []], "chart");
  } finally {
    dir.remove();
  }
});

test("a bundle copied alone into an empty folder replays a sample from /, as the sources do", () => {
  const dir = tempDir("lone-bundle");
  try {
    for (const c of COMMANDS) copyFileSync(bin(c), join(dir.path, `${c}.mjs`));
    const r = spawnSync(process.execPath, [join(dir.path, "cms-nats.mjs"), "replay", SAMPLE, "--select", "site,exitCode"], { cwd: "/", encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, EXPECTED_VALUES);
    assert.match(r.stderr, "summary in=210 parse_errors=10 out=200");
    const sub = spawnSync(process.execPath, [join(dir.path, "nats-sub.mjs"), "--version"], { cwd: "/", encoding: "utf8" });
    assert.is(sub.stdout, `${VERSION}\n`);
  } finally {
    dir.remove();
  }
});

test("npm pack, then npm install -g of the tarball into a prefix: working commands on its PATH, run from /", () => {
  const dir = tempDir("pack");
  try {
    const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir.path], { cwd: ROOT, encoding: "utf8" }).trim().split("\n").pop()!;
    const prefix = join(dir.path, "prefix");
    execFileSync("npm", ["install", "-g", "--prefix", prefix, "--no-audit", "--no-fund", "--offline", join(dir.path, tarball)], { cwd: "/", stdio: "pipe" });
    const env = { ...process.env, PATH: `${join(prefix, "bin")}:${process.env.PATH}` };
    for (const c of COMMANDS) {
      const r = spawnSync(c, ["--version"], { cwd: "/", encoding: "utf8", env });
      assert.is(r.stdout, `${VERSION}\n`, `${c}: ${r.stderr}`);
    }
    const r = spawnSync("cms-nats", ["replay", SAMPLE, "--select", "site,exitCode"], { cwd: "/", encoding: "utf8", env });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, EXPECTED_VALUES);
    const installed = readdirSync(join(prefix, "lib/node_modules/cms-nats"));
    assert.equal(installed.sort(), ["README.md", "dist", "package.json"], "the tarball holds the bundles, README and package.json only");
  } finally {
    dir.remove();
  }
});

if (!skipWithoutNatsServer()) {
  /** A live `run` into a CSV, started as `start` says; returns what it did once signalled. */
  async function liveRun(address: string, home: string, start: (args: string[]) => ReturnType<typeof startCli>, stop: (p: ReturnType<typeof startCli>) => void) {
    const csv = join(home, "live.csv");
    const run = start(["run", "--from", `{nats: {subject: "cms.launch.>", servers: "${address}"}}`, "--select", "seq,site", "--to", `csv:${csv}`]);
    const nc: NatsConnection = await connect({ servers: address });
    try {
      await run.waitForStderr(/Listening on/);
      const pub = steadyPublisher(nc, "cms.launch");
      await poll("messages to arrive", () => pub.sent() > 500, 15_000);
      stop(run);
      const code = await run.exited;
      await pub.stop();
      const n = Number(/summary in=(\d+)/.exec(run.stderr())?.[1]);
      const rows = parseCsv(readFileSync(csv), { columns: true }) as { seq: string }[];
      return { code, n, rows: rows.length, stderr: run.stderr(), pgid: run.pid };
    } finally {
      run.signal("SIGKILL");
      await nc.close();
    }
  }

  for (const how of ["bin", "npx"] as const) {
    const start = (home: string) => (args: string[]) => (how === "bin" ? startCli("cms-nats", args, home) : startNpx(args, home));

    test(`Ctrl-C (SIGINT to the process group) of ${how === "npx" ? "npx cms-nats" : "cms-nats"} run --from nats: exit 0, every message received is in the CSV`, () =>
      withNatsServer(undefined, async (server, home) => {
        const r = await liveRun(server.address, home, start(home), (p) => p.signalGroup("SIGINT"));
        assert.is(r.code, 0, r.stderr);
        assert.not.match(r.stderr, /SIGINT again/, "one Ctrl-C is one stop, also when npx passes it on");
        assert.ok(r.n > 500, `in=${r.n}`);
        assert.is(r.rows, r.n);
        assert.equal(groupMembers(r.pgid), [], "no process left");
        console.log(`  ${how}: Ctrl-C: exit 0, in=${r.n}, CSV rows ${r.rows}`);
      }));

    test(`SIGTERM to the ${how === "npx" ? "npx (npm exec) process" : "process"} alone: flushed, exit 0, no process left behind`, () =>
      withNatsServer(undefined, async (server, home) => {
        const r = await liveRun(server.address, home, start(home), (p) => p.signal("SIGTERM"));
        assert.is(r.code, 0, r.stderr);
        assert.is(r.rows, r.n);
        await poll("the group to be empty", () => groupMembers(r.pgid).length === 0, 5000);
        console.log(`  ${how}: SIGTERM: exit 0, in=${r.n}, CSV rows ${r.rows}, nothing orphaned`);
      }));
  }

  test("no process of a command shows a password or token from its command line (/proc/*/cmdline)", () =>
    withNatsServer(undefined, async (server, home) => {
      const dummy = "DUMMY-pw-1234";
      const token = "DUMMY-token-5678";
      const runs = [
        startCli("nats-sub", ["-s", `nats://alice:${dummy}@127.0.0.1:1`, "--wait-for-server", "-raw", "cms.x"], home),
        startCli("nats-sub", ["-s", "127.0.0.1:1", "-creds", `alice:${dummy}`, "--wait-for-server", "cms.x"], home),
        startCli("nats-pub", ["-s", "127.0.0.1:1", "-creds", token, "--wait-for-server", "cms.x", "hello"], home),
        startCli("cms-nats", ["run", "--from", `{nats: {servers: "127.0.0.1:1", subject: cms.x, user: u, pass: ${dummy}, waitForServer: true}}`], home),
      ];
      try {
        for (const r of runs) await r.waitForStderr(/waiting for a server/);
        for (const r of runs) {
          const members = groupMembers(r.pid);
          assert.ok(members.length >= 1);
          for (const pid of members) {
            const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
            assert.not.match(cmdline, dummy, cmdline);
            assert.not.match(cmdline, token, cmdline);
          }
          assert.not.match(r.stderr(), dummy);
        }
      } finally {
        for (const r of runs) r.signal("SIGKILL");
      }
      void server;
    }));

  test("nats-sub | head -3: the reader goes away, the run ends quietly with the status of a Unix filter (141)", () =>
    withNatsServer(undefined, async (server, home) => {
      const script = `"${bin("nats-sub")}" -s ${server.address} -raw "cms.head.>" | head -3; echo "status \${PIPESTATUS[0]}" >&2`;
      const child = spawn("bash", ["-c", script], { cwd: home, env: { ...process.env, HOME: home }, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (c: Buffer) => (out += c.toString()));
      child.stderr.on("data", (c: Buffer) => (err += c.toString()));
      const exited = new Promise((resolve) => child.on("close", resolve));
      const nc = await connect({ servers: server.address });
      try {
        await poll("nats-sub to listen", () => /Listening on/.test(err), 15_000);
        const pub = steadyPublisher(nc, "cms.head");
        await exited;
        await pub.stop();
        assert.is(out.trim().split("\n").length, 3);
        assert.match(err, /status 141\n$/);
        const lines = err.trim().split("\n");
        assert.equal(lines.filter((l) => !/^Listening on|^status |^no credentials given/.test(l)), [], `nothing else on stderr: ${err}`);
      } finally {
        child.kill("SIGKILL");
        await nc.close();
      }
    }));
}

/** `npx cms-nats ARGS` inside the clone, as the README's commands run it (npm exec, then the command). */
function startNpx(args: string[], home: string): ReturnType<typeof startCli> {
  const script = join(home, "npx-cms-nats.sh");
  writeFileSync(script, `#!/bin/sh\ncd "${ROOT}" && exec npx --no-install cms-nats "$@"\n`, { mode: 0o755 });
  return startCli(script, args, home);
}

test.run();
