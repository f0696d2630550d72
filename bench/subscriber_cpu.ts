#!/usr/bin/env -S npx tsx
/**
 * What a live subscriber costs per message, alone: a stub NATS server on loopback answers the
 * client's handshake and, once it listens, sends it 200,000 CMS messages (the live bench's) in one
 * write, then a PING; the client's PONG means it has read them all. The figure is the CPU time the
 * subscriber process used in between (all threads, /proc), so no publisher or nats-server shares the
 * cores with it, as they do in bench/live.ts. For that bench's subscribers (the bare nats.js
 * client, the anchor; its two references; `nats-sub -attrs site,exitCode` to a file; `cms-nats run`),
 * runs alternated, medians kept.
 *
 *   npx tsx bench/subscriber_cpu.ts [--count 200000] [--runs 5]
 */
import { createServer, type Socket } from "node:net";
import { parseArgs } from "node:util";
import { tempDir } from "../test/support/process.ts";
import { cpuMsOf, liveSubscribers, startSubscriber } from "./live.ts";
import { median } from "./median.ts";
import { type Publishable, publishable } from "./nats_sub.ts";

/** Every message as the server frames it for subscription `sid`. */
function frames(messages: readonly Publishable[], sid: string): Buffer {
  return Buffer.concat(messages.flatMap((m) => [Buffer.from(`MSG ${m.subject} ${sid} ${m.data.length}\r\n`), m.data, Buffer.from("\r\n")]));
}

/** One trial: the subscriber's CPU milliseconds from the first message sent to its PONG after the last. */
async function trial(subscriber: number, messages: readonly Publishable[], dir: string): Promise<number> {
  let subscribed!: (to: { socket: Socket; sid: string }) => void;
  const subscription = new Promise<{ socket: Socket; sid: string }>((resolve) => (subscribed = resolve));
  let caughtUp!: () => void;
  const allRead = new Promise<void>((resolve) => (caughtUp = resolve));
  let sent = false;
  const server = createServer((socket: Socket) => {
    socket.on("error", () => undefined); // the subscriber hangs up when it is stopped
    socket.write('INFO {"server_id":"stub","version":"2.10.0","proto":1,"max_payload":1048576,"headers":true}\r\n');
    let text = "";
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      for (let end; (end = text.indexOf("\r\n")) >= 0; text = text.slice(end + 2)) {
        const line = text.slice(0, end);
        if (line.startsWith("PING")) socket.write("PONG\r\n");
        else if (line.startsWith("SUB ")) subscribed({ socket, sid: line.split(" ").at(-1)! });
        else if (line.startsWith("PONG") && sent) caughtUp();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const sub = await startSubscriber(liveSubscribers(`127.0.0.1:${(server.address() as { port: number }).port}`, dir)[subscriber].argv, dir);
  const { socket, sid } = await subscription;
  const before = cpuMsOf(sub.pid);
  sent = true;
  socket.write(frames(messages, sid));
  socket.write("PING\r\n");
  await allRead;
  const cpuMs = cpuMsOf(sub.pid) - before;
  await sub.stop(messages.length);
  server.close();
  return cpuMs;
}

const { values } = parseArgs({ options: { count: { type: "string", default: "200000" }, runs: { type: "string", default: "5" } } });
const messages = publishable(Number(values.count));
const dir = tempDir("bench-subscriber-cpu");
const subscribers = liveSubscribers("", dir.path).map((s) => s.name);
const cpu = subscribers.map(() => [] as number[]);
try {
  for (let r = 0; r < Number(values.runs); r++) for (const i of subscribers.keys()) cpu[i].push(await trial(i, messages, dir.path));
} finally {
  dir.remove();
}
const medians = cpu.map(median);
console.log(`subscriber CPU for ${messages.length} messages from a stub server, median of ${values.runs} (all runs in ms)`);
const width = Math.max(...subscribers.map((name) => name.length));
for (const [i, name] of subscribers.entries()) {
  console.log(`  ${name.padEnd(width)} ${String(medians[i]).padStart(5)} ms  ${((medians[i] * 1000) / messages.length).toFixed(2)} µs/msg  ${(medians[i] / medians[0]).toFixed(2)}x  [${cpu[i].join(" ")}]`);
}
