/**
 * Security (issue 5 part 5) against real servers: credentials never printed on any error path nor
 * shown by `ps`; TLS verified by default, `--insecure` only on request and with a warning; secret
 * files readable by others warned about; republished subjects built from sanitized tokens only.
 * Secrets reach the processes through files (pipeline files and cms-auth, mode 600); what `ps` shows
 * of each process is checked in launcher.test.ts.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "nats";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SpecError, sinkFromFlag, sourceFromFlag } from "../../pipelines/spec.ts";
import { runCliAsync, startCli } from "../support/cli.ts";
import { skipWithoutNatsServer, withNatsServer } from "../support/nats_server.ts";
import { freePort, poll, tempDir } from "../support/process.ts";
import { makeCa, makeCert } from "../support/tls.ts";

const SECRET = "Zq7-SECRET-pw";
const USERS = `authorization {
  users = [
    {user: alice, password: "${SECRET}"}
    {user: reader, password: "${SECRET}", permissions: {subscribe: ["cms.public.>", "_INBOX.>"]}}
  ]
}`;

function file(dir: string, name: string, text: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, text, { mode });
  return path;
}

/** Runs `cms-nats run -f` on a pipeline file holding the secret; the secret must appear nowhere. */
async function runFile(home: string, yaml: string, input?: string) {
  const r = await runCliAsync("cms-nats", ["run", "-f", file(home, "p.yaml", yaml)], home, input);
  assert.not.ok(r.stdout.includes(SECRET) || r.stderr.includes(SECRET), `secret printed:\n${r.stdout}${r.stderr}`);
  return r;
}


test("flag values with secrets: SpecErrors hide URL user-info and pass/token/creds values", () => {
  const bad = [
    () => sourceFromFlag(`nats: {servers: "nats://u:${SECRET}@host", subject: x, bogus: 1}`),
    () => sourceFromFlag(`{nats: {subject: x, pass: [${SECRET}]}}`),
    () => sourceFromFlag(`{nats: {subject: x, token: ${SECRET}, count: -1}}`),
    () => sourceFromFlag(`{nats: {subject: x, creds: "u:${SECRET}"`),
    () => sinkFromFlag(`{victoriametrics: {url: "http://u:${SECRET}@h:1", batch: -1}}`),
    () => sinkFromFlag(`{pushgateway: {url: "http://u:${SECRET}@h:1", job: 5}}`),
  ];
  for (const f of bad) {
    try {
      f();
      assert.unreachable("accepted");
    } catch (err) {
      assert.instance(err, SpecError);
      assert.not.match((err as Error).message, SECRET);
      assert.match((err as Error).message, /\*\*\*/);
    }
  }
});

if (!skipWithoutNatsServer()) {
  test("secrets never printed: unreachable server, wrong password, permission denied (user-info in URLs), bad config, HTTP sink failing", () =>
    withNatsServer(USERS, async (server, home) => {
      const dead = await freePort();
      const unreachable = await runFile(home, `from: {nats: {servers: "nats://alice:${SECRET}@127.0.0.1:${dead}", subject: cms.x}}`);
      assert.is(unreachable.code, 1);
      assert.match(unreachable.stderr, `cannot connect to NATS at 127.0.0.1:${dead}: connection refused`);

      const wrong = await runFile(home, `from: {nats: {servers: "nats://alice:x${SECRET}@${server.address}", subject: cms.x}}`);
      assert.is(wrong.code, 1);
      assert.match(wrong.stderr, "authorization failed");

      const denied = await runFile(home, `from: {nats: {servers: "nats://reader:${SECRET}@${server.address}", subject: "cms.secret.>"}}`);
      assert.is(denied.code, 1);
      assert.match(denied.stderr, /permission denied/);

      const badConfig = await runFile(home, `from: {nats: {servers: "nats://alice:${SECRET}@${server.address}", subject: cms.x, pass: [${SECRET}], bogus: 1}}`);
      assert.is(badConfig.code, 2);

      const sink = await runFile(home, `from: stdin\nto: {victoriametrics: {url: "http://u:${SECRET}@127.0.0.1:${dead}", retries: 0}}`, "site:T2_US_MIT\n");
      assert.is(sink.code, 1);
      assert.match(sink.stderr, `victoriametrics http://***@127.0.0.1:${dead}/api/v1/import`);
      assert.match(sink.stderr, /summary in=1 /);
    }));

  test("credential files readable by others: a warning naming the file and chmod 600", async () => {
    const home = tempDir("home");
    try {
      const port = await freePort();
      const open = file(home.path, "cms-auth", `alice:${SECRET}\n`, 0o644);
      const creds = file(home.path, "user.creds", "-----BEGIN NATS USER JWT-----\neyJx\n------END NATS USER JWT------\n", 0o640);
      for (const [flag, path] of [["-cmsAuth", open], ["-creds", creds]]) {
        const r = await runCliAsync("nats-sub", ["-s", `127.0.0.1:${port}`, flag, path, "cms.x"], home.path);
        assert.match(r.stderr, `file ${path} can be read by other users; chmod 600 ${path}`);
        assert.not.match(r.stderr, SECRET);
      }
    } finally {
      home.remove();
    }
  });

  test("TLS verified by default: a server whose CA is not trusted is refused; --insecure connects, with a warning", async () => {
    const dir = tempDir("tls");
    try {
      const ca = makeCa(dir.path, "untrusted-ca");
      const srv = makeCert(dir.path, "server", ca);
      await withNatsServer(`tls { cert_file: "${srv.cert}", key_file: "${srv.key}" }`, async (server, home) => {
        const refused = await runCliAsync("nats-sub", ["-s", `tls://${server.address}`, "cms.x"], home);
        assert.is(refused.code, 1);
        assert.match(refused.stderr, new RegExp(`cannot connect to NATS at ${server.address}: .*certificate`, "i"));

        const sub = startCli("nats-sub", ["-s", `tls://${server.address}`, "--insecure", "-raw", "--count", "1", "cms.x"], home);
        try {
          await sub.waitForStderr(/Listening on/);
          assert.match(sub.stderr(), "warning: --insecure: the server's TLS certificate is not verified");
          const nc = await connect({ servers: server.address, tls: { caFile: ca.cert } });
          nc.publish("cms.x", "site:T2_US_MIT");
          await nc.drain();
          assert.is(await sub.exited, 0, sub.stderr());
          assert.is(sub.stdout(), "[#1] [cms.x] 'site:T2_US_MIT'\n");
        } finally {
          sub.signal("SIGKILL");
        }
      });
    } finally {
      dir.remove();
    }
  });

  test("republished subjects: hostile attribute values become one safe token each; a cms.analysis.> subscriber sees only the template's shape", () =>
    withNatsServer(undefined, async (server, home) => {
      const hostile = ["T2.US.MIT", "*", ">", "a b", "", "x\ty", "cms.>", "a.*.>", " ", "\u00a0nbsp", "ok", "x".repeat(5000)];
      const seen: string[] = [];
      const nc = await connect({ servers: server.address });
      nc.subscribe("cms.analysis.>", { callback: (_e, m) => seen.push(m.subject) });
      await nc.flush();
      const input = hostile.map((site, i) => JSON.stringify({ site, exitCode: i % 2 ? ">" : `${i}.${i}` })).join("\n") + "\n";
      const r = await runCliAsync("cms-nats", ["run", "--from", "stdin", "--parse", "json", "--to", `nats: {subject: "cms.analysis.{site}.{exitCode}", servers: "${server.address}"}`], home, input);
      assert.is(r.code, 0, r.stderr);
      await poll("every republished message", () => seen.length >= hostile.length, 10_000);
      await nc.drain();
      assert.is(seen.length, hostile.length);
      for (const subject of seen) assert.match(subject, /^cms\.analysis\.[^.*>\s]+\.[^.*>\s]+$/u);
      assert.ok(seen.includes("cms.analysis.T2_US_MIT.0_0"));
      assert.ok(seen.includes("cms.analysis.a____._"), seen.join("\n")); // "a.*.>", ">"
      assert.ok(seen.some((s) => /^cms\.analysis\.x{119}~[0-9a-f]{8}\._$/.test(s)), "a 5000-character value: one token of 128"); // not a 5 KB subject the server refuses
    }));
}

test.run();
