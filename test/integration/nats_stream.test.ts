/**
 * Streams through a real nats-server: the nats-pub → nats-sub round trip of 20,000 CMS messages (the
 * must-show: one `site exitCode` line per message, in order; -raw alongside), record then replay,
 * a server restarted mid-stream, and the republish sink via `cms-nats run`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "nats";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateStream } from "../../bench/generate.ts";
import { install } from "../../nats/message_reader.ts";
import { runCliAsync, startCli } from "../support/cli.ts";
import { type NatsServer, skipWithoutNatsServer, startNatsServer } from "../support/nats_server.ts";
import { poll, tempDir } from "../support/process.ts";

const PASSWORD = "str3am-Pw";
const COUNT = 20_000;

/** The recorded messages the generator makes (30% JSON, as on the real service). */
const recorded = [...generateStream({ count: COUNT, seed: 7 })].map((l) => JSON.parse(l) as { subject: string; data: string });

/**
 * What `-attrs site,exitCode` prints, read independently of the parser under test: the two values in
 * the payload's own order, as the Go tool prints them (cms payloads have sorted keys: exitCode first).
 */
function siteAndCode(data: string): string {
  if (data.startsWith("{")) {
    const d = JSON.parse(data) as Record<string, unknown>;
    return Object.keys(d).filter((k) => k === "Site" || k === "ExitCode").map((k) => String(d[k])).join(" ");
  }
  const pairs = data.split("   ").map((p) => [p.slice(0, p.indexOf(":")), p.slice(p.indexOf(":") + 1)]);
  return pairs.filter(([k]) => k === "site" || k === "exitCode").map(([, v]) => v).join(" ");
}

async function withServer(body: (server: NatsServer, home: string, authFile: string) => Promise<void>) {
  const server = await startNatsServer({ config: `authorization { user: cms, password: "${PASSWORD}" }` });
  const home = tempDir("home");
  const authFile = join(home.path, "cms-auth");
  writeFileSync(authFile, `cms:${PASSWORD}\n`, { mode: 0o600 });
  try {
    await body(server, home.path, authFile);
  } finally {
    await server.stop();
    home.remove();
  }
}

if (!skipWithoutNatsServer()) {
  test("nats-pub (stdin) → nats-sub: 20,000 messages, none lost, in order; -raw and record alongside; replay reproduces", () =>
    withServer(async (server, home, authFile) => {
      const conn = ["-s", server.address, "-cmsAuth", authFile];
      const rec = join(home, "rec.jsonl");
      const values = startCli("nats-sub", [...conn, "-attrs", "site,exitCode", "cms.wmarchive.exitCode.>"], home);
      const raw = startCli("nats-sub", [...conn, "-raw", "--count", String(COUNT), "cms.wmarchive.exitCode.>"], home);
      const record = startCli("cms-nats", ["record", "cms.wmarchive.exitCode.>", ...conn, "-o", rec, "--count", String(COUNT)], home);
      // nats-pub publishes on one subject; per-message subjects come from a second publisher below
      const pub = startCli("nats-pub", [...conn, "cms.wmarchive.exitCode.all"], home);
      try {
        await Promise.all([values, raw, record].map((p) => p.waitForStderr(/Listening on/)));
        pub.endInput(recorded.map((r) => r.data).join("\n") + "\n");
        assert.is(await pub.exited, 0, pub.stderr());
        assert.match(pub.stderr(), `Published ${COUNT} messages on [${server.address}/cms.wmarchive.exitCode.all]`);

        await values.waitForLines(COUNT);
        values.signal("SIGINT"); // stops with everything flushed
        assert.is(await values.exited, 0, values.stderr());
        assert.is(values.stdout(), recorded.map((r) => siteAndCode(r.data)).join("\n") + "\n");
        assert.match(values.stderr(), `summary in=${COUNT} out=${COUNT}`);

        assert.is(await raw.exited, 0, raw.stderr());
        const rawLines = raw.stdout().split("\n");
        assert.is(rawLines.length, COUNT + 1);
        assert.is(rawLines[0], `[#1] [cms.wmarchive.exitCode.all] '${recorded[0].data}'`);
        assert.is(rawLines[COUNT - 1], `[#${COUNT}] [cms.wmarchive.exitCode.all] '${recorded[COUNT - 1].data}'`);

        assert.is(await record.exited, 0, record.stderr());
        const replay = await runCliAsync("cms-nats", ["replay", rec, "--parse", "auto", "--to", "console:raw"], home);
        assert.is(replay.code, 0, replay.stderr);
        assert.is(replay.stdout, rawLines.join("\n"));
      } finally {
        for (const p of [values, raw, record, pub]) p.signal("SIGKILL");
      }
    }));

  test("record then replay keeps subjects and payloads exactly (wildcard subjects, JSON and cms)", () =>
    withServer(async (server, home, authFile) => {
      const rec = join(home, "rec.jsonl");
      const sent = recorded.slice(0, 200);
      const record = startCli("cms-nats", ["record", "cms.wmarchive.>", "-s", server.address, "-cmsAuth", authFile, "-o", rec, "--count", "200"], home);
      try {
        await record.waitForStderr(/Listening on/);
        const began = Date.now();
        const nc = await connect({ servers: server.address, user: "cms", pass: PASSWORD });
        // in two waves, the second sent once the first is in the file: each message has the time it arrived
        for (const r of sent.slice(0, 100)) nc.publish(r.subject, r.data);
        await nc.flush();
        await poll("the first wave recorded", () => readFileSync(rec, "utf8").split("\n").length > 100, 10_000);
        const between = Date.now();
        await poll("the clock to move on", () => Date.now() > between, 1000, 1);
        for (const r of sent.slice(100)) nc.publish(r.subject, r.data);
        await nc.drain();
        assert.is(await record.exited, 0, record.stderr());
        const ended = Date.now();
        const back = readFileSync(rec, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { time: string; subject: string; data: string });
        assert.equal(back.map((r) => [r.subject, r.data]), sent.map((r) => [r.subject, r.data]));
        const times = back.map((r) => Date.parse(r.time));
        assert.ok(times.slice(0, 100).every((t) => t >= began && t <= between), "first wave stamped when it came");
        assert.ok(times.slice(100).every((t) => t > between && t <= ended), "second wave stamped when it came, not with the first's time");
        const replay = await runCliAsync("cms-nats", ["replay", rec, "--to", "record:-"], home);
        assert.is(replay.code, 0, replay.stderr);
        assert.equal(replay.stdout.trim().split("\n").map((l) => JSON.parse(l).data), sent.map((r) => r.data));
      } finally {
        record.signal("SIGKILL");
      }
    }));

  test("record keeps every payload exactly as the message reader hands it on: UTF-8, bytes that are not UTF-8, headers, empty, 1 MB, in a burst", () =>
    withServer(async (server, home, authFile) => {
      const nc = await connect({ servers: server.address, user: "cms", pass: PASSWORD });
      assert.ok(install(nc), "the message reader fits this nats.js (nats/message_reader.ts)");
      const rec = join(home, "rec.jsonl");
      const big = Buffer.alloc(1_000_000, "exitCode:8028   ");
      const special: { data: Uint8Array; headers?: [string, string] }[] = [
        { data: Buffer.from("site:T2_FR_GRIF   task:é→✓") },
        { data: Buffer.from([0x73, 0x3a, 0xff, 0xfe, 0x41]) },
        { data: Buffer.from("exitCode:1"), headers: ["Nats-Msg-Id", "m-1"] },
        { data: Buffer.alloc(0) },
        { data: big },
      ];
      // each special one among ASCII messages, so they fall anywhere in the chunks the client reads
      const sent: typeof special = Array.from({ length: 5000 }, (_, i) => ({ data: Buffer.from(recorded[i].data) }));
      special.forEach((m, k) => sent.splice(700 * k + 333, 0, m));
      const record = startCli("cms-nats", ["record", "cms.reader.>", "-s", server.address, "-cmsAuth", authFile, "-o", rec, "--count", String(sent.length)], home);
      try {
        await record.waitForStderr(/Listening on/);
        const { headers } = await import("nats");
        sent.forEach((m, i) => {
          const h = m.headers && headers();
          if (m.headers) h!.set(...m.headers);
          nc.publish(`cms.reader.${i % 3}`, m.data, h ? { headers: h } : undefined);
        });
        await nc.flush();
        assert.is(await record.exited, 0, record.stderr());
        const back = readFileSync(rec, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { subject: string; data?: string; data_b64?: string; headers?: Record<string, string[]> });
        assert.is(back.length, sent.length);
        back.forEach((r, i) => {
          const bytes = r.data_b64 === undefined ? Buffer.from(r.data!) : Buffer.from(r.data_b64, "base64");
          assert.ok(bytes.equals(sent[i].data), `message ${i}: ${bytes.length} bytes recorded, ${sent[i].data.length} sent`);
          assert.is(r.subject, `cms.reader.${i % 3}`);
          assert.equal(r.headers, sent[i].headers && { [sent[i].headers![0]]: [sent[i].headers![1]] });
        });
        assert.ok(back.some((r) => r.data_b64 !== undefined), "the bytes that are not UTF-8 are kept as data_b64");
      } finally {
        record.signal("SIGKILL");
        await nc.close();
      }
    }));

  test("server restarted mid-stream: nats-sub reports the disconnect, reconnects and keeps receiving", () =>
    withServer(async (server, home, authFile) => {
      const sub = startCli("nats-sub", ["-s", server.address, "-cmsAuth", authFile, "--reconnect-wait", "100ms", "-raw", "cms.test.>"], home);
      const opts = { servers: server.address, user: "cms", pass: PASSWORD };
      try {
        await sub.waitForStderr(/Listening on/);
        let nc = await connect(opts);
        for (let i = 0; i < 100; i++) nc.publish("cms.test.before", `before-${i}`);
        await nc.drain();
        await sub.waitForLines(100);
        await server.restart();
        await sub.waitForStderr(/Disconnected: will attempt reconnects for 1m - error: .*\n(.|\n)*Reconnected/);
        nc = await connect(opts);
        // the subscription is back once a probe gets through: publish probes until one shows
        await poll("a probe to reach the subscriber", async () => {
          nc.publish("cms.test.probe", "probe");
          await nc.flush();
          return sub.stdout().includes("'probe'");
        }, 15_000, 50);
        for (let i = 0; i < 100; i++) nc.publish("cms.test.after", `after-${i}`);
        await nc.drain();
        await poll("the messages after the restart", () => sub.stdout().includes("'after-99'"));
        const payloads = sub.stdout().trim().split("\n").map((l) => /'(.*)'$/.exec(l)![1]).filter((p) => p !== "probe");
        const expected = [...Array.from({ length: 100 }, (_, i) => `before-${i}`), ...Array.from({ length: 100 }, (_, i) => `after-${i}`)];
        assert.equal(payloads, expected);
        sub.signal("SIGTERM");
        assert.is(await sub.exited, 0, sub.stderr());
      } finally {
        sub.signal("SIGKILL");
      }
    }));

  test("cms-nats run --from nats: --to nats: republishes on subjects built from sanitized attributes", () =>
    withServer(async (server, home, authFile) => {
      const from = `{nats: {subject: "cms.in.>", servers: "${server.address}", cmsAuth: "${authFile}", count: 3}}`;
      const to = `{nats: {subject: "cms.analysis.{site}", servers: "${server.address}", cmsAuth: "${authFile}", format: json}}`;
      const run = startCli("cms-nats", ["run", "--from", from, "--select", "site,exitCode", "--to", to], home);
      const nc = await connect({ servers: server.address, user: "cms", pass: PASSWORD });
      try {
        const got: string[] = [];
        const sub = nc.subscribe("cms.analysis.>", { callback: (_, m) => got.push(`${m.subject} ${m.string()}`) });
        await nc.flush();
        await run.waitForStderr(/Listening on/);
        nc.publish("cms.in.a", "site:T2_US_MIT   exitCode:8028");
        nc.publish("cms.in.b", '{"Site":"evil.>* x","ExitCode":1}');
        nc.publish("cms.in.c", "exitCode:2");
        assert.is(await run.exited, 0, run.stderr());
        await poll("3 republished messages", () => got.length === 3);
        sub.unsubscribe();
        assert.equal(got, [
          'cms.analysis.T2_US_MIT {"site":"T2_US_MIT","exitCode":"8028"}',
          'cms.analysis.evil____x {"site":"evil.>* x","exitCode":"1"}',
          'cms.analysis._ {"exitCode":"2"}',
        ]);
      } finally {
        run.signal("SIGKILL");
        await nc.close();
      }
    }));

  test.run();
}
