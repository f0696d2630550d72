import type { NatsConnection } from "nats";
import * as z from "zod";
import { DEFAULT_SEP, encodeCms, encodeJson } from "../formats/payload.ts";
import { type Message, payloadBytes, type Receipt, releaseAll } from "../lib/message.ts";
import { connectNats } from "../nats/client.ts";
import { connectionFields, prepareConnection } from "../nats/connection.ts";
import { subjectTemplate } from "../nats/subject.ts";
import { type Sink, type SinkContext, SinkError, sinkKind } from "./sink.ts";

/** Messages held while the connection is being made; beyond this they are dropped and counted. */
export const MAX_WAITING = 100_000;
/** How soon after a publish a flush confirms it (and releases its receipts): one round trip per burst. */
const CONFIRM_MS = 100;

export const natsSinkConfig = z.strictObject({
  subject: z
    .string()
    .min(1)
    .superRefine((t, ctx) => {
      try {
        subjectTemplate(t, () => () => "");
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
      }
    })
    .describe('subject template: {name} is replaced by the attribute\'s value made one safe token (. * > and spaces become _), e.g. "cms.analysis.{site}"')
    .meta({ examples: ["cms.analysis.{site}"] }),
  format: z.enum(["cms", "json"]).default("cms").describe("payload written: cms key:value pairs (keys sorted) or a JSON object"),
  sep: z.string().min(1).default(DEFAULT_SEP).describe("separator of cms key:value pairs"),
  ...connectionFields,
});
export type NatsSinkConfig = z.infer<typeof natsSinkConfig>;

/**
 * Republishes every message on NATS, its subject filled from its attributes, its payload re-encoded
 * (`format`); messages without attributes go out with their payload unchanged. `connection` is the
 * NATS connection being made; writes before it is up wait (at most {@link MAX_WAITING}). `close`
 * flushes (the server has every message), then drains and closes the connection.
 */
export function natsSink(config: NatsSinkConfig, ctx: SinkContext, connection: Promise<NatsConnection>): Sink {
  const name = `nats ${config.subject}`;
  const subjectOf = subjectTemplate(config.subject, (attr) => {
    const ref = ctx.attribute(attr);
    return (msg: Message) => ref.get(msg);
  });
  const encode = config.format === "json" ? encodeJson : (attrs: Record<string, string | number>) => encodeCms(attrs, config.sep);
  let nc: NatsConnection | undefined;
  let failure: Error | undefined;
  let waiting: Message[] = [];
  let published = 0;
  /** Published messages the server is known to have (a flush came back after them). */
  let confirmed = 0;
  let dropped = 0;
  /** Receipts of published messages the server has not confirmed yet (a flush after them). */
  let unconfirmed: Receipt[] = [];
  let confirming = false;
  /** A flush: the server has everything published before it, so those messages are confirmed and their receipts go. */
  const confirm = (c: NatsConnection) => {
    const upTo = published;
    const batch = unconfirmed;
    unconfirmed = [];
    return c.flush().then(
      () => {
        confirmed = Math.max(confirmed, upTo);
        releaseAll(batch, true);
      },
      (err: Error) => {
        releaseAll(batch, false);
        throw err;
      },
    );
  };
  /** One flush round trip soon after a burst of publishes that carry receipts. */
  const confirmSoon = () => {
    if (confirming) return;
    confirming = true;
    ctx.scheduler.schedule(() => {
      confirming = false;
      if (nc && !nc.isClosed()) confirm(nc).catch(() => undefined); // a failed flush fails the close's too
      else releaseAll(unconfirmed.splice(0), false);
    }, CONFIRM_MS);
  };

  const publish = (msg: Message) => {
    try {
      nc!.publish(subjectOf(msg), msg.attrs ? encode(msg.attrs) : payloadBytes(msg));
      published++;
      if (msg.receipts) {
        unconfirmed.push(...msg.receipts);
        confirmSoon();
      }
    } catch (err) {
      dropped++;
      releaseAll(msg.receipts, false);
      failure ??= err as Error;
    }
  };
  const ready = connection.then(
    (c) => {
      nc = c;
      for (const msg of waiting) publish(msg);
      waiting = [];
    },
    (err: Error) => {
      failure = err;
      dropped += waiting.length;
      for (const msg of waiting) releaseAll(msg.receipts, false);
      waiting = [];
      ctx.warn(`${name}: ${err.message}; messages for it are dropped`);
    },
  );

  return {
    name,
    write(msg) {
      if (nc) publish(msg);
      else if (failure || waiting.length >= MAX_WAITING) {
        dropped++;
        releaseAll(msg.receipts, false);
      } else waiting.push(msg);
    },
    pending: () => waiting.length + published - confirmed,
    async close() {
      await ready;
      if (nc && !nc.isClosed()) {
        try {
          await confirm(nc);
          await nc.drain();
        } catch (err) {
          failure ??= err as Error;
        }
      }
      if (failure) throw new SinkError(name, `${failure.message} (${published} published, ${dropped} dropped)`, { cause: failure });
      return { delivered: published, dropped };
    },
  };
}

export const kind = sinkKind({
  name: "nats",
  description: "republish on NATS: subject template filled from attributes, payload as cms or json (unchanged when not parsed)",
  config: natsSinkConfig,
  shorthand: "subject",
  examples: ["'nats: {subject: \"cms.analysis.{site}\", servers: localhost:4222}'", "'nats: {subject: cms.analysis.codes, format: json}'"],
  accepts: () => ["payloads", "records", "windows"],
  create: (config, ctx) => {
    const prepared = prepareConnection(config, { warn: ctx.warn, defaultCmsAuth: ctx.defaultCmsAuth });
    const client = connectNats(prepared, ctx.warn);
    const sink = natsSink(config, ctx, client.then((c) => c.nc));
    void client.catch(() => undefined); // an unreachable server is reported by the sink itself
    return sink;
  },
});
