#!/usr/bin/env -S npx tsx
/**
 * Throughput from JetStream, whole processes timed from start to exit: 200,000 CMS messages stored
 * in a stream, read to `stop: caught-up` by one and by two workers sharing a durable consumer (each
 * run on a fresh durable), `cms-nats record` and `cms-nats run` (parse, stats by site, CSV); next to
 * a bare nats.js pull consumer that only acknowledges (the anchor), and to core NATS: `cms-nats
 * record` live while the same messages are published as fast as one client can.
 *
 *   npx tsx bench/jetstream.ts [--count 200000]
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { AckPolicy, connect } from "nats";
import { bin } from "../test/support/cli.ts";
import { startNatsServer } from "../test/support/nats_server.ts";
import { freePort, poll, tempDir } from "../test/support/process.ts";
import { startListener, summaryReceived } from "./listener.ts";
import { publishable, publishAll, subscriberConn } from "./nats_sub.ts";

export interface JetStreamFigure {
  name: string;
  /** Messages per second over all workers. */
  rate: number;
  seconds: number;
}

/** The anchor: a pull consumer that acknowledges each message and counts, until it has `count`. */
async function bare(server: string, durable: string, count: number): Promise<void> {
  const nc = await connect({ servers: server });
  const jsm = await nc.jetstreamManager();
  await jsm.consumers.add("CMS", { durable_name: durable, ack_policy: AckPolicy.Explicit, max_ack_pending: -1 });
  const consumer = await nc.jetstream().consumers.get("CMS", durable);
  let n = 0;
  for await (const m of await consumer.consume({ max_messages: 250 })) {
    m.ack();
    if (++n === count) break;
  }
  await nc.drain();
  process.stderr.write(`summary in=${n}\n`);
}

function run(argv: string[], home: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, HOME: home } });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stderr })));
}

export async function jetstreamFigures(count: number): Promise<JetStreamFigure[]> {
  const monitor = await freePort();
  const server = await startNatsServer({ jetstream: true, config: `http_port: ${monitor}` });
  const dir = tempDir("bench-js");
  const figures: JetStreamFigure[] = [];
  const nc = await connect({ servers: server.address, name: "bench-pub" });
  try {
    const messages = publishable(count);
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: "CMS", subjects: ["cms.>"] });
    await publishAll(nc, messages);
    await poll("the stream to store every message", async () => (await jsm.streams.info("CMS")).state.messages >= count, 120_000);

    let durables = 0;
    const timed = async (name: string, workers: number, argv: (durable: string, worker: number) => string[]) => {
      const durable = `bench${++durables}`;
      const start = performance.now();
      const results = await Promise.all(Array.from({ length: workers }, (_, w) => run(argv(durable, w), dir.path)));
      const seconds = (performance.now() - start) / 1000;
      const total = results.reduce((s, r) => s + summaryReceived(r.stderr), 0);
      if (results.some((r) => r.code !== 0) || total < count) throw new Error(`${name}: exit ${results.map((r) => r.code)}, ${total} of ${count}: ${results.map((r) => r.stderr).join("\n")}`);
      figures.push({ name, rate: count / seconds, seconds });
    };
    const from = (durable: string) => `jetstream: {stream: CMS, durable: ${durable}, stop: caught-up, servers: ${server.address}}`;
    const record = (durable: string, w: number) => [bin("cms-nats"), "record", "cms.>", "-s", server.address, "--stream", "CMS", "--durable", durable, "--stop", "caught-up", "-o", join(dir.path, `${durable}-${w}.jsonl`)];
    const stats = (durable: string, w: number) => [bin("cms-nats"), "run", "--from", from(durable), "--parse", "auto", "--stats", "{every: 60s, by: [site]}", "--to", `csv:${join(dir.path, `${durable}-${w}.csv`)}`];

    await timed("JetStream: bare nats.js pull consumer, ack only (anchor)", 1, (d) => [process.execPath, "--import", "tsx", "bench/jetstream.ts", "--bare", server.address, d, String(count)]);
    await timed("JetStream: cms-nats record, 1 worker", 1, record);
    await timed("JetStream: cms-nats record, 2 workers", 2, record);
    await timed("JetStream: cms-nats run parse+stats+csv, 1 worker", 1, stats);
    await timed("JetStream: cms-nats run parse+stats+csv, 2 workers", 2, stats);

    // core NATS: a live recorder while one client publishes the same messages unpaced
    const out = join(dir.path, "core.jsonl");
    const recorder = await startListener([bin("cms-nats"), "record", "cms.>", "-s", server.address, "-o", out], dir.path);
    await jsm.streams.delete("CMS"); // the stream would store these too, and slow the server down
    const start = performance.now();
    await publishAll(nc, messages);
    await poll("the server to have sent the recorder every message", async () => {
      const c = await subscriberConn(monitor);
      return c && c.out_msgs >= count && c.pending_bytes === 0;
    }, 60_000);
    const { received } = await recorder.stop();
    const seconds = (performance.now() - start) / 1000;
    figures.push({ name: `core NATS: cms-nats record live (${received} of ${count} received)`, rate: received / seconds, seconds });
  } finally {
    await nc.close();
    await server.stop();
    dir.remove();
  }
  return figures;
}

if (process.argv[2] === "--bare") await bare(process.argv[3], process.argv[4], Number(process.argv[5]));
else if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { count: { type: "string", default: "200000" } } });
  const count = Number(values.count);
  console.log(`${count} messages stored in a JetStream stream, read to caught-up (whole processes, start to exit)`);
  for (const f of await jetstreamFigures(count)) console.log(`  ${f.name.padEnd(62)} ${String(Math.round(f.rate)).padStart(7)} msg/s  ${f.seconds.toFixed(2)} s`);
}
