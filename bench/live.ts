#!/usr/bin/env -S npx tsx
/**
 * Live throughput, whole process: 200,000 CMS messages (~300 bytes) published as fast as one client
 * can, timed from the first publish to the subscriber's exit, for a bare nats.js subscriber that
 * only counts (the anchor), two references (the same client decoding each payload's text, then also
 * reading its attributes, and writing a line: the work done on nats.js's own parser, with no
 * pipeline; cms-nats reads with nats/message_reader.ts instead),
 * `nats-sub -attrs site,exitCode` writing to a file, and `cms-nats run` (parse, filter, stats by
 * site, CSV). Once the server has sent every message (its monitoring port says so), the subscriber
 * gets SIGINT, as a user stops it, and must report all of them. The runs of the subscribers
 * alternate, the median is kept. Each also gives the CPU time the subscriber, nats-server and the
 * publishing process (this one) used from the first publish to the SIGINT (all threads, /proc): the
 * three share two cores, and these tell which of them the run waits for.
 *
 *   npx tsx bench/live.ts [--count 200000] [--runs 3]
 */
import { readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { connect, type Msg } from "nats";
import { payloadDecoder } from "../formats/payload.ts";
import { bin } from "../test/support/cli.ts";
import { type NatsServer, startNatsServer } from "../test/support/nats_server.ts";
import { freePort, poll, tempDir } from "../test/support/process.ts";
import { startListener } from "./listener.ts";
import { median } from "./median.ts";
import { type Publishable, publishable, publishAll, subscriberConn } from "./nats_sub.ts";

const SUBJECT = "cms.wmarchive.exitCode.>";

export interface LiveFigure {
  name: string;
  /** Not cms-nats: a bare client doing part of its per-message work (liveSubscribers). */
  reference?: boolean;
  rate: number;
  /** Over the anchor's rate. */
  ratio: number;
  /** CPU milliseconds the subscriber used while the messages came (median). */
  cpuMs: number;
  /** The same, of nats-server and of the publishing process, in those trials. */
  serverCpuMs: number;
  publisherCpuMs: number;
}

/**
 * What a subscriber does per message, without the pipeline: `count` only counts (the anchor);
 * `text` also decodes each payload's UTF-8 and writes a line of its first 20 characters (about what
 * `-attrs site,exitCode` writes), the least a subscriber that shows the payloads does; `attrs` reads
 * the two attributes with formats/payload.ts as parse does and writes their values, what `nats-sub
 * -attrs` computes. Lines go out as nats-sub's do, a batch a turn. Drains and reports on SIGINT
 * (bench/nats_sub.ts uses `count` too).
 */
async function bare(server: string, mode = "count"): Promise<void> {
  const nc = await connect({ servers: server, name: "bench-sub" });
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const decoder = payloadDecoder();
  const only = new Set(["site", "exitCode"]);
  let lines: string[] = [];
  const flush = () => {
    if (lines.length > 0) writeSync(1, lines.join("\n") + "\n");
    lines = [];
  };
  let n = 0;
  const line = (text: string) => {
    if (lines.push(text) === 1) setImmediate(flush);
  };
  const callback: (err: unknown, m: Msg) => void =
    mode === "count" ? () => n++
    : mode === "text" ? (_, m) => (n++, line(utf8.decode(m.data).slice(0, 20)))
    : (_, m) => (n++, line(Object.values(decoder.decode(utf8.decode(m.data), only)).join(" ")));
  nc.subscribe(SUBJECT, { callback });
  await nc.flush();
  process.stderr.write("Listening on\n");
  process.once("SIGINT", async () => {
    await nc.drain();
    flush();
    process.stderr.write(`summary in=${n}\n`);
  });
}

/**
 * The subscribers, the anchor first, for a server at `server`; `dir` takes their files. The two
 * marked `reference` are not cms-nats: the per-message work without the pipeline, on nats.js's parser.
 */
export function liveSubscribers(server: string, dir: string): { name: string; argv: string[]; reference?: boolean }[] {
  const bareArgv = (mode: string) => [process.execPath, "--import", "tsx", "bench/live.ts", "--bare", server, mode];
  return [
    { name: "bare nats.js subscriber, count only (anchor)", argv: bareArgv("count") },
    { name: "reference: bare client + UTF-8 of each payload + 20-char line", argv: bareArgv("text"), reference: true },
    { name: "reference: bare client + the two attributes read + line", argv: bareArgv("attrs"), reference: true },
    { name: "nats-sub -attrs site,exitCode > file", argv: [bin("nats-sub"), "-s", server, "-attrs", "site,exitCode", SUBJECT] },
    {
      name: "cms-nats run parse+filter+stats+csv",
      argv: [bin("cms-nats"), "run", "--from", `{nats: {subject: "${SUBJECT}", servers: "${server}"}}`, "--parse", "auto", "--filter", "exitCode: {gte: 0}", "--stats", "{every: 10s, by: [site]}", "--to", `csv:${join(dir, "stats.csv")}`, "--force"],
    },
  ];
}

export async function liveFigures(count: number, runs: number): Promise<LiveFigure[]> {
  const messages = publishable(count);
  const monitor = await freePort();
  const server = await startNatsServer({ config: `http_port: ${monitor}` });
  const dir = tempDir("bench-live");
  const subscribers = liveSubscribers(server.address, dir.path);
  const rates = subscribers.map(() => [] as number[]);
  const cpus = subscribers.map(() => [] as Cpu[]);
  try {
    for (let r = 0; r < runs; r++) {
      for (const [i, sub] of subscribers.entries()) {
        const t = await trial(sub.argv, messages, server, monitor, dir.path);
        rates[i].push(t.rate);
        cpus[i].push(t.cpu);
      }
    }
  } finally {
    await server.stop();
    dir.remove();
  }
  const medians = rates.map(median);
  return subscribers.map((s, i) => ({
    name: s.name,
    reference: s.reference,
    rate: medians[i],
    ratio: medians[i] / medians[0],
    cpuMs: median(cpus[i].map((c) => c.subscriber)),
    serverCpuMs: median(cpus[i].map((c) => c.server)),
    publisherCpuMs: median(cpus[i].map((c) => c.publisher)),
  }));
}

/** User and system CPU milliseconds a process has used so far, all its threads (fields 14 and 15 of /proc/PID/stat, in ticks of 10 ms). */
export function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Cpu {
  subscriber: number;
  server: number;
  publisher: number;
}

/** A subscriber process that listens, its stdout in `dir`/out.txt. */
export interface Subscriber {
  pid: number;
  /** Sends SIGINT, as a user stops it, waits for its exit and checks that it reports `expected` messages received. */
  stop(expected: number): Promise<void>;
}

/** Starts `argv` (see bench/listener.ts) and waits until it says it is listening. */
export async function startSubscriber(argv: readonly string[], dir: string): Promise<Subscriber> {
  const listener = await startListener(argv, dir, { stdout: join(dir, "out.txt") });
  return {
    pid: listener.pid,
    async stop(expected) {
      const { received, stderr } = await listener.stop();
      if (received !== expected) throw new Error(`${argv.slice(0, 3).join(" ")}: received ${received} of ${expected}: ${stderr.slice(-300)}`);
    },
  };
}

async function trial(argv: string[], messages: Publishable[], server: NatsServer, monitor: number, dir: string): Promise<{ rate: number; cpu: Cpu }> {
  const sub = await startSubscriber(argv, dir);
  const cpuBefore = { subscriber: cpuMsOf(sub.pid), server: cpuMsOf(server.pid()), publisher: process.cpuUsage() };
  const pub = await connect({ servers: server.address, name: "bench-pub" });
  const start = performance.now();
  await publishAll(pub, messages);
  await poll("the server to have sent every message", async () => {
    const c = await subscriberConn(monitor);
    return c && c.out_msgs >= messages.length && c.pending_bytes === 0;
  }, 120_000, 5);
  const used = process.cpuUsage(cpuBefore.publisher);
  const cpu = { subscriber: cpuMsOf(sub.pid) - cpuBefore.subscriber, server: cpuMsOf(server.pid()) - cpuBefore.server, publisher: Math.round((used.user + used.system) / 1000) };
  await sub.stop(messages.length);
  const seconds = (performance.now() - start) / 1000;
  await pub.close();
  return { rate: messages.length / seconds, cpu };
}

if (process.argv[2] === "--bare") await bare(process.argv[3], process.argv[4]);
else if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { count: { type: "string", default: "200000" }, runs: { type: "string", default: "3" } } });
  console.log(`live: ${values.count} messages published unpaced, first publish to exit, median of ${values.runs}`);
  const figures = await liveFigures(Number(values.count), Number(values.runs));
  const width = Math.max(...figures.map((f) => f.name.length));
  for (const f of figures) console.log(`  ${f.name.padEnd(width)} ${String(Math.round(f.rate)).padStart(8)} msg/s  ${f.ratio.toFixed(2)}x  CPU ms: subscriber ${f.cpuMs}, nats-server ${f.serverCpuMs}, publisher ${f.publisherCpuMs}`);
}
