#!/usr/bin/env -S npx tsx
/**
 * Bounded memory under bursts (issue 5 part 3): a publisher sends 1,000,000 CMS messages (~300 bytes)
 * as fast as it can into `cms-nats run --from 'nats: ...'`, in two cases:
 *   slow: a victoriametrics sink (api: put) pointed at a loopback HTTP server that takes `--delay` ms
 *         to answer each batch, so the sink's queue fills and drops (oldest), counted;
 *   fast: only fast sinks (select site,exitCode → CSV file);
 *   cutoff: the slow case on a server with a tiny write_deadline (10ms), so it cuts the pipeline off
 *         as a slow consumer, as a busy shared server does; the pipeline must say so on stderr.
 * Each case gets its own nats-server, `max_pending` 8MB (production: 64MB). With a single local
 * server and the default write_deadline, the server stalls the publishers instead of cutting the
 * pipeline off (the slow and fast cases), so nothing is lost before the pipeline there.
 *
 *   npx tsx bench/burst.ts [--count 1000000] [--publishers 4] [--delay 100] [--queue 100000]
 *     [--max-pending 8MB] [--cutoff-deadline 10ms] [--cases slow,fast,cutoff] [--node-options=--max-old-space-size=128]
 *
 * Printed per case: peak RSS of the pipeline process (VmHWM of /proc/<pid>/status, read until it
 * exits), messages published, received by the pipeline (its summary `in=`), delivered and dropped by
 * the HTTP sink (its own counts, and what the slow server really received), lost to the slow consumer
 * cut-off (published − received, with the server's slow_consumers count), and the stderr lines about it.
 *
 * The memory bound, and where it comes from. What the pipeline keeps alive is bounded:
 *   live ≲ baseline (node and the bundle's modules: ~120 MB RSS for a CSV pipeline)
 *            + the HTTP sink's queue: full batches kept as request bodies, at most 12 MB, in buffers
 *              reused once sent or dropped (so a queue cycling under a slow server allocates nothing
 *              more), and the batch being filled (batch × ~300 B of text)
 *            + what the NATS client holds: nothing beyond the socket reads of one event-loop turn
 *              (the callback subscription runs the pipeline synchronously, so the client reads only
 *              as fast as it processes; the backlog stays in the server, up to its max_pending, and
 *              is then cut off there, not here).
 * Measured on this 2-core box, 1M messages: slow sink 198 MB peak RSS, fast sinks only 135 MB. Before
 * the queue held bodies in reused buffers it held strings: 350-490 MB, as V8 collects long-lived
 * garbage lazily (and outside memory only every 64 MB). Growth past these is a leak.
 *
 * Servers come from the test launchers (test/support), the same real nats-server the tests start.
 */
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { connect } from "nats";
import { bin } from "../test/support/cli.ts";
import { startNatsServer } from "../test/support/nats_server.ts";
import { freePort, poll, tempDir } from "../test/support/process.ts";
import { generateStream } from "./generate.ts";
import { type Listener, peakRssMB, startListener } from "./listener.ts";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "1000000" },
    delay: { type: "string", default: "100" },
    queue: { type: "string", default: "100000" },
    "max-pending": { type: "string", default: "8MB" },
    cases: { type: "string", default: "slow,fast,cutoff" },
    "cutoff-deadline": { type: "string", default: "10ms" },
    publishers: { type: "string", default: "4" },
    "node-options": { type: "string", default: "" },
  },
});
const COUNT = Number(values.count);
const DELAY_MS = Number(values.delay);
const QUEUE = Number(values.queue);
const PUBLISHERS = Number(values.publishers);
const SUBJECT = "cms.wmarchive.exitCode.>";

/** 20,000 distinct generated messages, sent over and over. */
const messages = [...generateStream({ count: 20_000, seed: 11 })].map((l) => {
  const r = JSON.parse(l) as { subject: string; data: string };
  return { subject: r.subject, data: Buffer.from(r.data) };
});

interface SlowServer {
  url: string;
  /** Samples received in answered requests. */
  received(): number;
  close(): Promise<void>;
}

/** An OpenTSDB-like /api/put that answers 204 after `delayMs`, counting the samples of each batch. */
async function slowServer(delayMs: number): Promise<SlowServer> {
  let received = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      setTimeout(() => {
        received += (JSON.parse(body) as unknown[]).length;
        res.writeHead(204).end();
      }, delayMs);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Case {
  name: string;
  sinks: (dir: string, slow: SlowServer) => string[];
  /** More nats-server config. */
  server?: string;
}

const CASES: Record<string, Case> = {
  slow: {
    name: `slow HTTP sink (victoriametrics api: put, ${DELAY_MS} ms a batch, queue ${QUEUE})`,
    sinks: (_dir, slow) => ["--to", `victoriametrics: {url: "${slow.url}", api: put, queue: ${QUEUE}, batch: 1000, timeout: 60s}`],
  },
  fast: {
    name: "fast sinks only (select site,exitCode → CSV file)",
    sinks: (dir) => ["--select", "site,exitCode", "--to", `csv:${join(dir, "out.csv")}`],
  },
  cutoff: {
    name: `slow consumer cut-off: the slow case with the server's write_deadline at ${values["cutoff-deadline"]}`,
    sinks: (_dir, slow) => ["--to", `victoriametrics: {url: "${slow.url}", api: put, queue: ${QUEUE}, batch: 1000, timeout: 60s}`],
    server: `write_deadline: "${values["cutoff-deadline"]}"`,
  },
};

async function runCase(c: Case, dir: string): Promise<void> {
  const monitor = await freePort();
  const nats = await startNatsServer({ config: `http_port: ${monitor}\nmax_pending: ${values["max-pending"]}\n${c.server ?? ""}` });
  const server = nats.address;
  const slow = await slowServer(DELAY_MS);
  const args = ["run", "--from", `{nats: {subject: "${SUBJECT}", servers: "${server}"}}`, ...c.sinks(dir, slow)];
  let listener: Listener | undefined;
  // VmHWM is gone with the process: read until it exits
  let peakMB = 0;
  const watch = setInterval(() => listener && (peakMB = Math.max(peakMB, peakRssMB(listener.pid) || 0)), 50);
  try {
    listener = await startListener([bin("cms-nats"), ...args], dir, { env: { NODE_OPTIONS: values["node-options"] } });
    const before = await varz(monitor);
    const start = performance.now();
    await Promise.all(Array.from({ length: PUBLISHERS }, (_, p) => publish(server, p)));
    const publishMs = performance.now() - start;
    // the server has handed the pipeline all it will (nothing pending for it, its count steady)
    let last = -1;
    await poll("the server to have nothing pending for the pipeline", async () => {
      const conn = await subscriberConn(monitor);
      const steady = conn !== undefined && conn.pending_bytes === 0 && conn.out_msgs === last;
      last = conn?.out_msgs ?? -1;
      return steady;
    }, 120_000, 500);
    const after = await varz(monitor);
    const { code, received, stderr } = await listener.stop(); // SIGINT flushes every sink: the slow one empties its queue at its pace
    const notDelivered = /(\d+) of (\d+) messages not delivered; last reason: (.*)/.exec(stderr);
    console.log(`\n${c.name}`);
    console.log(`  published ${COUNT} in ${(publishMs / 1000).toFixed(1)} s (${Math.round((COUNT * 1000) / publishMs)}/s), exit code ${code}`);
    console.log(`  peak RSS of the pipeline: ${Math.round(peakMB)} MB`);
    console.log(`  received by the pipeline: ${received}; lost before it (published − received): ${COUNT - received}; server slow_consumers +${after.slow_consumers - before.slow_consumers}`);
    if (c.sinks(dir, slow).some((a) => a.includes("victoriametrics"))) {
      const dropped = notDelivered ? Number(notDelivered[1]) : 0;
      console.log(`  HTTP sink: delivered ${received - dropped}, dropped ${dropped} (${notDelivered?.[3] ?? "none"}); the slow server received ${slow.received()}`);
    }
    const said = stderr.split("\n").filter((l) => /slow consumer|Disconnected|Reconnected|queue full|summary/i.test(l));
    console.log(`  stderr:\n${said.map((l) => `    ${l}`).join("\n")}`);
  } finally {
    clearInterval(watch);
    listener?.kill();
    await slow.close();
    await nats.stop();
  }
}

/** One publisher's share of the burst (every PUBLISHERS-th message), unpaced. */
async function publish(server: string, p: number): Promise<void> {
  const pub = await connect({ servers: server, name: "bench-pub" });
  for (let i = p, n = 0; i < COUNT; i += PUBLISHERS, n++) {
    const m = messages[i % messages.length];
    pub.publish(m.subject, m.data);
    if (n % 20_000 === 19_999) await pub.flush(); // lets the slow server's timers run; no pacing
  }
  await pub.flush();
  await pub.close();
}

async function varz(port: number): Promise<{ slow_consumers: number }> {
  return (await fetch(`http://127.0.0.1:${port}/varz`)).json() as Promise<{ slow_consumers: number }>;
}

/** The pipeline's connection as the server sees it. */
async function subscriberConn(port: number) {
  const connz = (await (await fetch(`http://127.0.0.1:${port}/connz`)).json()) as { connections: { name?: string; out_msgs: number; pending_bytes: number }[] };
  return connz.connections.find((c) => c.name === "cms-nats");
}

const dir = tempDir("bench-burst");
console.log(`${COUNT} messages of ~${Math.round(messages.reduce((s, m) => s + m.data.length, 0) / messages.length)} bytes from ${PUBLISHERS} publishers; nats-server max_pending ${values["max-pending"]}`);
try {
  for (const name of values.cases!.split(",")) await runCase(CASES[name], dir.path);
} finally {
  dir.remove();
}
