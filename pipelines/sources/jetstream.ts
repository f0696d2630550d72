import type { ConsumerMessages, JsMsg } from "nats";
import { Observable } from "rxjs";
import * as z from "zod";
import { duration } from "../../lib/duration.ts";
import { type Message, messageFromBytes, type Receipt } from "../../lib/message.ts";
import { closeClient, connectNats, type Connect, type NatsClient } from "../../nats/client.ts";
import { connectionFields, NatsConnectionError, prepareConnection } from "../../nats/connection.ts";
import { Acks, bindConsumer, caughtUp, type Deliver, isNotFound } from "../../nats/jetstream.ts";
import { subjectProblem } from "../../nats/subject.ts";
import { copyHeaders } from "./nats.ts";
import { type SourceContext, SourceError, sourceKind } from "./source.ts";

const deliver = z
  .union([
    z.enum(["all", "new", "last"]),
    z.number().int().positive(),
    z.string().refine((t) => !Number.isNaN(Date.parse(t)), "expected all, new, last, a stream sequence number or an ISO 8601 time (2026-11-21T14:00Z)"),
  ])
  .default("all")
  .describe("where a consumer this creates starts: all, new, last, an ISO 8601 time (stored since), or a stream sequence number")
  .meta({ examples: ["2026-11-21T14:00Z"] });

export const jetstreamConfig = z.strictObject({
  stream: z.string().min(1).describe("the JetStream stream to read").meta({ examples: ["CMS"] }),
  durable: z
    .string()
    .regex(/^[^.*>\s]+$/, "a consumer name has no dots, wildcards or white space")
    .optional()
    .describe("durable consumer: bound when it exists, created otherwise; a restart resumes where it was acknowledged; workers with one name share the messages. Without it: an ephemeral consumer for this run")
    .meta({ examples: ["cms-recorder"] }),
  filter: z
    .string()
    .superRefine((s, ctx) => {
      const problem = subjectProblem(s, true);
      if (problem) ctx.addIssue({ code: "custom", message: `${problem} in "${s}"` });
    })
    .optional()
    .describe("only messages on this subject (wildcards allowed), for a consumer this creates")
    .meta({ examples: ["cms.wmarchive.exitCode.>"] }),
  deliver,
  stop: z.literal("caught-up").optional().describe("caught-up: end once every message stored when the run started has been delivered and acknowledged (a back-fill)"),
  count: z.number().int().positive().optional().describe("stop after this many messages"),
  duration: duration.optional().describe("stop after this long").meta({ examples: ["10m"] }),
  batch: z
    .number()
    .int()
    .positive()
    .max(10_000)
    .default(250)
    .describe("messages asked for per pull request: what a crash may deliver again is about this many (measured: 1000 left up to 16k messages unacknowledged at a time, 250 at most 500, at the same rate)"),
  ack_wait: duration.prefault("30s").describe("for a consumer this creates, how long a message may wait for its ack before the server sends it again, plus twice a stats window's hold (an existing durable's shorter wait is raised to cover the windows)"),
  ...connectionFields,
});
export type JetStreamConfig = z.infer<typeof jetstreamConfig>;

/**
 * After this long without a message, a caught-up run asks the server whether everything stored at
 * its start has been delivered (to another worker, perhaps). Only when idle: a consumer info request
 * stalls the server's deliveries to a consumer with many unacknowledged messages (measured: asked
 * every 500 ms, a 110k back-fill took 11 s instead of 4).
 */
const CAUGHT_UP_IDLE_MS = 500;
/** The longest an ack wait is made, for a pipeline that holds its messages to the end (`every: all`). */
const MAX_ACK_WAIT_MS = 24 * 3_600_000;

const deliverOf = (d: JetStreamConfig["deliver"]): Deliver => (typeof d === "number" ? { sequence: d } : d === "all" || d === "new" || d === "last" ? d : { time: Date.parse(d) });

/**
 * Emits the messages of a JetStream stream through a pull consumer, each with its stored time,
 * subject and headers, and a receipt: it is acknowledged once every sink has delivered what came of
 * it (batched acks), so what a crash leaves unacknowledged is delivered again, to the next run or
 * another worker. A message the server sends again while this run still holds it is not emitted
 * twice; one sent again from an earlier run counts as `redelivered`. Completes at `stop: caught-up`,
 * `count`, `duration` or when `ctx.signal` aborts (fetched messages not handed on are left for
 * redelivery); errors when the stream is missing, JetStream is off, or the consumer is deleted while
 * it runs.
 */
export function jetstreamSource(config: JetStreamConfig, ctx: SourceContext, connect: Connect = connectNats): Observable<Message> {
  const prepared = prepareConnection(config, { warn: ctx.warn, defaultCmsAuth: ctx.defaultCmsAuth });
  return new Observable<Message>((subscriber) => {
    let stopped = false;
    let messages: ConsumerMessages | undefined;
    const stop = () => {
      stopped = true;
      messages?.stop(); // what it had pulled and not handed on is sent again after the ack wait
    };
    ctx.signal.addEventListener("abort", stop, { once: true });
    const timer = config.duration === undefined ? undefined : ctx.scheduler.schedule(stop, config.duration);
    let client: NatsClient | undefined;
    let consumerName = "";

    const consumerDeleted = (cause?: Error) =>
      new SourceError(`the JetStream consumer ${consumerName} of stream ${config.stream} was deleted while the run read from it; what was acknowledged is delivered, the rest stays in the stream`, { cause });

    const run = async () => {
      const { ConsumerEvents } = await import("nats");
      const c = (client = await connect(prepared, ctx.warn, () => ctx.count("reconnects")));
      const acks = new Acks(c.nc, ctx.scheduler);
      // acks for what the sinks settle while closing go out before the connection closes
      ctx.closing(async () => {
        await acks.flush();
        await closeClient(c, "drain");
      });
      if (stopped) return;
      // the ack wait covers the sinks' delivery, and twice a stats window's hold when there is one
      const windowsMs = ctx.holdMs === Infinity ? MAX_ACK_WAIT_MS : Math.min(MAX_ACK_WAIT_MS, 2 * ctx.holdMs);
      const ackWaitMs = Math.min(MAX_ACK_WAIT_MS, config.ack_wait + windowsMs);
      const request = { stream: config.stream, durable: config.durable, filter: config.filter, deliver: deliverOf(config.deliver), ackWaitMs, minAckWaitMs: windowsMs && ackWaitMs };
      const bound = await bindConsumer(c.nc, request, ctx.warn);
      consumerName = bound.name;
      ctx.warn(`Consuming [${prepared.given}/${config.stream}] through ${config.durable ? `durable consumer ${bound.name}${bound.created ? " (created)" : ""}` : `ephemeral consumer ${bound.name}`}`);
      /** Messages handed on whose receipts are not settled yet, by stream sequence. */
      const held = new Map<number, { msg: JsMsg; receipt: Receipt }>();
      let received = 0;
      /** Caught up as {@link caughtUp} says, once the acks queued here have reached the server. */
      const isCaughtUp = async () => {
        await acks.flush();
        return caughtUp(bound.consumer, bound.target, held.size, ctx.holdMs > 0);
      };
      if (config.stop === "caught-up" && (await isCaughtUp())) return;
      const pulled = (messages = await bound.consumer.consume({ max_messages: config.batch }));
      if (stopped) stop();
      let deleted = false;
      void (async () => {
        for await (const s of await pulled.status()) {
          if (s.type === ConsumerEvents.ConsumerDeleted || s.type === ConsumerEvents.ConsumerNotFound || s.type === ConsumerEvents.StreamNotFound) {
            deleted = true;
            stop();
          }
        }
      })();
      // asked when the last stored message arrives, and when none has come for a while (it may have gone to another worker)
      let lastAt = ctx.scheduler.now();
      let checking = false;
      const check = () => {
        if (checking || stopped) return;
        checking = true;
        isCaughtUp().then(
          (done) => {
            checking = false;
            if (done) stop(); // what the iterator buffers counts as unacknowledged, so none is left behind
          },
          () => void (checking = false),
        );
      };
      const poll =
        config.stop === "caught-up"
          ? ctx.scheduler.schedule(function () {
              const idle = ctx.scheduler.now() - lastAt;
              if (idle >= CAUGHT_UP_IDLE_MS) check();
              this.schedule(undefined, idle >= CAUGHT_UP_IDLE_MS ? CAUGHT_UP_IDLE_MS : CAUGHT_UP_IDLE_MS - idle);
            }, CAUGHT_UP_IDLE_MS)
          : undefined;
      try {
        for await (const m of pulled) {
          if (stopped || subscriber.closed) break;
          lastAt = ctx.scheduler.now();
          const seq = m.seq;
          const mine = held.get(seq);
          if (mine) {
            mine.msg = m; // sent again while still held here (a long stats window): ack the newest delivery
            continue;
          }
          if (m.redelivered) ctx.count("redelivered");
          const entry = { msg: m, receipt: receipt(() => acks.add(entry.msg), () => held.delete(seq)) };
          held.set(seq, entry);
          const msg = messageFromBytes(m.info.timestampNanos / 1e6, m.subject, m.data, m.headers && copyHeaders(m.headers));
          msg.receipts = [entry.receipt];
          subscriber.next(msg);
          entry.receipt.release(true); // handed on: now the sinks (or a stats window) hold it, or nobody and it is done
          if (++received === config.count) stop();
          else if (config.stop === "caught-up" && (m.info.pending === 0 || seq >= bound.target)) check();
        }
      } finally {
        poll?.unsubscribe();
      }
      if (deleted) throw consumerDeleted();
    };
    run().then(
      () => subscriber.complete(),
      async (err: Error) => {
        if (subscriber.closed) return;
        subscriber.error(await explain(err));
      },
    );

    /** The error a person reads: a consumer deleted under the run is said so. */
    async function explain(err: Error): Promise<Error> {
      if (err instanceof SourceError) return err;
      if (err instanceof NatsConnectionError) return new SourceError(prepared.mask(err.message), { cause: err });
      if (consumerName && client && !client.nc.isClosed()) {
        const gone = await (await client.nc.jetstreamManager()).consumers.info(config.stream, consumerName).then(
          () => false,
          (e) => isNotFound(e),
        );
        if (gone) return consumerDeleted(err);
      }
      return new SourceError(prepared.mask(`JetStream: ${err.message}`), { cause: err });
    }

    return () => {
      ctx.signal.removeEventListener("abort", stop);
      timer?.unsubscribe();
      stopped = true;
    };
  });
}

/**
 * A message's receipt: held once by the source while it hands the message on, then by whoever takes
 * it; `acked` when the last holder has released it delivered, only `forget` when one gave up (the
 * server then sends it again after the ack wait).
 */
function receipt(acked: () => void, forget: () => void): Receipt {
  let holds = 1;
  let failed = false;
  return {
    hold: () => void holds++,
    release(delivered) {
      if (!delivered) failed = true;
      if (--holds > 0) return;
      forget();
      if (!failed) acked();
    },
  };
}

export const kind = sourceKind({
  name: "jetstream",
  description: "messages stored in a JetStream stream, through a durable (resumable, shared by workers) or ephemeral consumer; acknowledged once every sink has them",
  config: jetstreamConfig,
  shorthand: "stream",
  examples: ["jetstream:CMS", "'jetstream: {stream: CMS, durable: cms-recorder, stop: caught-up}'", "'jetstream: {stream: CMS, filter: cms.wmarchive.exitCode.>, deliver: 2026-11-21T14:00Z}'"],
  live: () => false,
  shared: (c) => c.durable !== undefined,
  create: (config, ctx) => jetstreamSource(config, ctx),
});
