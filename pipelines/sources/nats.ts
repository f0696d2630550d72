import type { Msg, MsgHdrs, Subscription } from "nats";
import { Observable } from "rxjs";
import * as z from "zod";
import { duration } from "../../lib/duration.ts";
import { type Headers, type Message, messageFromBytes } from "../../lib/message.ts";
import { closeClient, connectNats, type Connect, type NatsClient } from "../../nats/client.ts";
import { connectionFields, prepareConnection } from "../../nats/connection.ts";
import { type PlainHandler, subscribePlain } from "../../nats/message_reader.ts";
import { subjectProblem } from "../../nats/subject.ts";
import { type SourceContext, SourceError, sourceKind } from "./source.ts";

const subject = z.string().superRefine((s, ctx) => {
  const problem = subjectProblem(s, true);
  if (problem) ctx.addIssue({ code: "custom", message: `${problem} in "${s}"` });
});

export const natsConfig = z.strictObject({
  subject: z
    .union([subject, z.array(subject).min(1)])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .describe("subject or list of subjects; * matches one token, > the rest")
    .meta({ examples: ["cms.wmarchive.exitCode.>"] }),
  queue: z.string().min(1).optional().describe("queue group: subscribers of one group share the messages"),
  count: z.number().int().positive().optional().describe("stop after this many messages"),
  duration: duration.optional().describe("stop after this long").meta({ examples: ["10m"] }),
  ...connectionFields,
});
export type NatsConfig = z.infer<typeof natsConfig>;

/**
 * Emits the messages delivered on the subjects, each stamped with its arrival time (headers kept);
 * completes after `count` messages, after `duration`, or when `ctx.signal` aborts — then the
 * subscriptions are drained first, so what the server already sent is still emitted. Errors when the
 * first connect fails, a subscription is refused (permission denied) or the connection is lost for good.
 * Prints `Listening on [<servers>/<subject>]` once the server has confirmed the subscriptions.
 *
 * @example
 * natsSource({ subject: ["cms.wmarchive.exitCode.>"], servers: ["127.0.0.1:4222"], ... }, ctx)
 */
export function natsSource(config: NatsConfig, ctx: SourceContext, connect: Connect = connectNats): Observable<Message> {
  const prepared = prepareConnection(config, { warn: ctx.warn, defaultCmsAuth: ctx.defaultCmsAuth });
  return new Observable<Message>((subscriber) => {
    let client: NatsClient | undefined;
    const subs: Subscription[] = [];
    let received = 0;
    let done = false;

    const fail = (err: Error) => {
      if (done) return;
      done = true;
      subscriber.error(err);
    };
    /** Drains (delivering what is in flight) unless the count is reached, then completes. */
    const finish = (how: "drain" | "close") => {
      if (done) return;
      if (!client) {
        done = true;
        subscriber.complete();
        return;
      }
      closeClient(client, how).then(
        () => {
          done = true;
          subscriber.complete();
        },
        (err) => fail(new SourceError(prepared.mask(`closing the NATS connection failed: ${(err as Error).message}`), { cause: err })),
      );
    };
    const deliver = (message: Message) => {
      if (done) return;
      subscriber.next(message);
      if (++received === config.count) {
        for (const s of subs) s.unsubscribe();
        finish("close");
      }
    };
    // most messages come here, from the message reader: the payload is text when it is ASCII
    const onPlain: PlainHandler = (subject, payload) =>
      deliver(typeof payload === "string" ? { time: ctx.scheduler.now(), subject, data: payload } : messageFromBytes(ctx.scheduler.now(), subject, payload));
    const onMessage = (err: Error | null, m: Msg) => {
      if (err) return fail(permissionError(err, prepared.mask));
      deliver(messageFromBytes(ctx.scheduler.now(), m.subject, m.data, m.headers && copyHeaders(m.headers)));
    };

    const stop = () => finish("drain");
    ctx.signal.addEventListener("abort", stop, { once: true });
    const timer = config.duration === undefined ? undefined : ctx.scheduler.schedule(stop, config.duration);

    connect(prepared, ctx.warn, () => ctx.count("reconnects"))
      .then(async (c) => {
        client = c;
        if (done || ctx.signal.aborted) return finish("close");
        void c.lost.then((lost) => fail(new SourceError(lost.message, { cause: lost })));
        for (const s of config.subject) subs.push(subscribePlain(c.nc, s, { queue: config.queue }, onPlain, onMessage));
        await c.nc.flush(); // the server has seen the subscriptions: a refusal has arrived by now
        if (!done) ctx.warn(`Listening on [${prepared.given}/${config.subject.join(",")}]`);
      })
      .catch((err: Error) => fail(err instanceof SourceError ? err : new SourceError(prepared.mask(err.name === "NatsConnectionError" ? err.message : `NATS: ${err.message}`), { cause: err })));

    return () => {
      ctx.signal.removeEventListener("abort", stop);
      timer?.unsubscribe();
      for (const s of subs) s.unsubscribe();
      // the stream is over either way; a failure to close a connection we drop has no one to tell
      if (client) void closeClient(client, "close").catch(() => undefined);
    };
  });
}

function permissionError(err: Error, mask: (text: string) => string): SourceError {
  const text = /permissions violation/i.test(err.message) ? `permission denied: ${err.message}` : err.message;
  return new SourceError(mask(`subscription refused by the NATS server: ${text}`), { cause: err });
}

/** NATS headers as the message model keeps them (each name with all its values). */
export function copyHeaders(h: MsgHdrs): Headers {
  const out: Headers = Object.create(null);
  for (const key of h.keys()) out[key] = h.values(key);
  return out;
}

export const kind = sourceKind({
  name: "nats",
  description: "live messages on NATS subjects (* and > wildcards), with the nats-sub connection settings",
  config: natsConfig,
  shorthand: "subject",
  examples: ['"nats:cms.wmarchive.exitCode.>"', "'nats: {subject: \"cms.wmarchive.exitCode.>\", servers: cms-nats.cern.ch, count: 1000}'"],
  live: () => true,
  shared: (c) => c.queue !== undefined,
  create: (config, ctx) => natsSource(config, ctx),
});
