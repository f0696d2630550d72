#!/usr/bin/env -S npx tsx
/**
 * Highest publish rate at which a subscriber receives every one of 300,000 CMS messages (~300 bytes),
 * for three subscribers, each its own process: a bare `nats` client that only counts, `nats-sub
 * -attrs site,exitCode` writing to a file, and `cms-nats run` (parse + filter + stats + CSV).
 *
 *   npx tsx bench/nats_sub.ts [--count 300000] [--rates 50000,100000,...]
 *
 * A rate passes when the paced publisher reaches it (≥ 97%: a subscriber that falls behind makes the
 * local server stall the publisher), the server reports no slow consumer, the subscriber has every
 * message within 1 s (or 10% of the run) of the publisher's end, and its own count says so. Peak RSS is the
 * subscriber's VmHWM. Uses the test launcher for nats-server (a free port, stopped at the end).
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { connect, type NatsConnection } from "nats";
import { bin } from "../test/support/cli.ts";
import { startNatsServer } from "../test/support/nats_server.ts";
import { freePort, poll, tempDir } from "../test/support/process.ts";
import { generateStream } from "./generate.ts";
import { peakRssMB, startListener } from "./listener.ts";

const SUBJECT = "cms.wmarchive.exitCode.>";

interface Subscriber {
  name: string;
  args: (server: string, dir: string) => string[];
}

const SUBSCRIBERS: Subscriber[] = [
  { name: "bare nats client (count only)", args: (s) => [process.execPath, "--import", "tsx", "bench/live.ts", "--bare", s] },
  { name: "nats-sub -attrs site,exitCode > file", args: (s) => [bin("nats-sub"), "-s", s, "-attrs", "site,exitCode", SUBJECT] },
  {
    name: "cms-nats run parse+filter+stats+csv",
    args: (s, dir) => [
      bin("cms-nats"), "run", "--from", `{nats: {subject: "${SUBJECT}", servers: "${s}"}}`, "--parse", "auto",
      "--filter", "exitCode: {gte: 8000}", "--stats", "{every: 10s, by: [site]}", "--to", `csv:${join(dir, "stats.csv")}`, "--force",
    ],
  },
];

async function bench(): Promise<void> {
  const { values } = parseArgs({ options: { count: { type: "string", default: "300000" }, rates: { type: "string", default: "50000,100000,150000,200000,225000,250000,300000,400000" } } });
  const count = Number(values.count);
  const rates = values.rates!.split(",").map(Number);
  const messages = publishable(count);
  const monitor = await freePort();
  const server = await startNatsServer({ config: `http_port: ${monitor}` });
  const dir = tempDir("bench-nats");
  console.log(`${count} messages of ~${Math.round(messages.reduce((s, m) => s + m.data.length, 0) / count)} bytes; nats-server ${server.address}`);
  try {
    console.log(`publisher alone, unpaced, no subscriber: ${Math.round(await publishCeiling(messages, server.address))}/s (the most any row below can show)`);
    for (const sub of SUBSCRIBERS) {
      let best: { rate: number; achieved: number; rss: number } | undefined;
      for (const rate of rates) {
        const r = await trial(sub, rate, messages, server.address, monitor, dir.path);
        console.log(`  ${sub.name.padEnd(38)} target ${String(rate).padStart(6)}/s  published ${String(Math.round(r.achieved)).padStart(6)}/s  received ${r.received}/${count}  peak RSS ${r.rss} MB  ${r.ok ? "ok" : `FAIL (${r.why})`}`);
        if (!r.ok) break;
        best = { rate, achieved: r.achieved, rss: r.rss };
      }
      console.log(`=> ${sub.name}: ${best ? `every message up to ${best.rate}/s (published ${Math.round(best.achieved)}/s), peak RSS ${best.rss} MB` : "lost messages at every rate tried"}`);
    }
  } finally {
    await server.stop();
    dir.remove();
  }
}

async function trial(sub: Subscriber, rate: number, messages: Publishable[], server: string, monitor: number, dir: string) {
  const listener = await startListener(sub.args(server, dir), dir, { stdout: join(dir, "out.txt") });
  const before = await varz(monitor);
  const pub = await connect({ servers: server, name: "bench-pub" });
  const start = performance.now();
  const tickMs = 5;
  let sent = 0;
  while (sent < messages.length) {
    const due = Math.min(messages.length, Math.ceil(((performance.now() - start) / 1000) * rate));
    for (; sent < due; sent++) pub.publish(messages[sent].subject, messages[sent].data);
    await new Promise((r) => setTimeout(r, tickMs));
  }
  await pub.flush();
  const elapsedMs = performance.now() - start;
  const achieved = (messages.length * 1000) / elapsedMs;
  await pub.close();
  const delivered = await poll("the subscriber to have every message", async () => {
    const c = await subscriberConn(monitor);
    return c && c.out_msgs >= messages.length && c.pending_bytes === 0 ? c : undefined;
  }, Math.max(1000, elapsedMs / 10)).catch(() => undefined);
  const rss = Math.round(peakRssMB(listener.pid));
  const { received } = await listener.stop();
  const slow = (await varz(monitor)).slow_consumers - before.slow_consumers;
  const why = achieved < rate * 0.97 ? "publisher held back" : slow > 0 ? "slow consumer" : !delivered ? "not delivered in time" : received !== messages.length ? "count differs" : "";
  return { ok: why === "", why, achieved, received, rss };
}

/** How fast this process can publish at all on this machine: the bench cannot measure beyond it. */
async function publishCeiling(messages: Publishable[], server: string): Promise<number> {
  const pub = await connect({ servers: server, name: "bench-pub" });
  const start = performance.now();
  await publishAll(pub, messages);
  const rate = (messages.length * 1000) / (performance.now() - start);
  await pub.close();
  return rate;
}

async function varz(port: number): Promise<{ slow_consumers: number }> {
  return (await fetch(`http://127.0.0.1:${port}/varz`)).json() as Promise<{ slow_consumers: number }>;
}

export interface Publishable {
  subject: string;
  data: Buffer;
}

/** The generated stream's messages (seed 3), ready to publish. */
export function publishable(count: number): Publishable[] {
  return [...generateStream({ count, seed: 3 })].map((l) => {
    const r = JSON.parse(l) as { subject: string; data: string };
    return { subject: r.subject, data: Buffer.from(r.data) };
  });
}

/** Publishes every message as fast as one client can, flushing every 10,000 so its own buffer stays small. */
export async function publishAll(nc: NatsConnection, messages: readonly Publishable[]): Promise<void> {
  for (let i = 0; i < messages.length; i++) {
    nc.publish(messages[i].subject, messages[i].data);
    if (i % 10_000 === 9_999) await nc.flush();
  }
  await nc.flush();
}

/** The subscriber's connection as the server sees it (what it sent, what it still holds): the one not named bench-pub. */
export async function subscriberConn(port: number) {
  const connz = (await (await fetch(`http://127.0.0.1:${port}/connz`)).json()) as { connections: { name?: string; out_msgs: number; pending_bytes: number }[] };
  return connz.connections.find((c) => c.name !== "bench-pub");
}

if (import.meta.url === `file://${process.argv[1]}`) await bench();
