/**
 * JetStream consumers for a durable source: binding a durable consumer (or creating it, or an
 * ephemeral one), where "caught up" is, and acknowledgements sent in batches.
 */
import type { Consumer, ConsumerConfig, ConsumerInfo, JetStreamManager, JsMsg, NatsConnection } from "nats";
import type { SchedulerLike } from "rxjs";
import { NatsConnectionError } from "./connection.ts";

/** Where a new consumer starts: the whole stream, only new messages, the last one, a time, a stream sequence. */
export type Deliver = "all" | "new" | "last" | { time: number } | { sequence: number };

export interface ConsumerRequest {
  stream: string;
  /** Bound when it exists, created otherwise; undefined: an ephemeral consumer for this run. */
  durable?: string;
  filter?: string;
  deliver: Deliver;
  /** How long a delivered message may stay unacknowledged before the server sends it again, for a consumer created now. */
  ackWaitMs: number;
  /** The least ack wait the pipeline needs (its stats windows hold messages): a durable's shorter one is raised to it. */
  minAckWaitMs: number;
}

export interface Bound {
  consumer: Consumer;
  name: string;
  /** The stream's last sequence when the run started: "caught up" is having had everything up to it. */
  target: number;
  /** Created now (else bound as it was). */
  created: boolean;
}

/** An ephemeral consumer is removed by the server this long after its run has gone. */
const EPHEMERAL_IDLE_MS = 5 * 60_000;

/**
 * Binds the consumer a request names, or creates it (explicit acks, no limit on messages waiting
 * for their ack: a stats window holds its messages' acks until it is emitted). A durable that exists
 * keeps its own settings (a warning says which of the request's differ), except an ack wait shorter
 * than the pipeline's windows need, which is raised so that held messages are not sent again meanwhile.
 */
export async function bindConsumer(nc: NatsConnection, req: ConsumerRequest, warn: (text: string) => void): Promise<Bound> {
  const { AckPolicy, DeliverPolicy, nanos } = await import("nats");
  const jsm = await nc.jetstreamManager().catch((err) => Promise.reject(jetstreamOff(err) ?? err));
  const target = await lastSequence(jsm, req.stream);
  const wanted: Partial<ConsumerConfig> = {
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(req.ackWaitMs),
    max_ack_pending: -1,
    ...(req.filter ? { filter_subject: req.filter } : {}),
    ...deliverConfig(req.deliver, DeliverPolicy),
  };
  let info: ConsumerInfo | undefined;
  if (req.durable) info = await jsm.consumers.info(req.stream, req.durable).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
  let created = false;
  if (info) {
    const differs = (["filter_subject", "deliver_policy", "opt_start_time", "opt_start_seq"] as const).filter((k) => wanted[k] !== undefined && wanted[k] !== info!.config[k]);
    if (differs.length > 0) warn(`JetStream consumer ${req.durable} exists with other settings (${differs.map((k) => `${k} ${String(info!.config[k] ?? "unset")}`).join(", ")}): bound as it is; delete it to start anew`);
    if ((info.config.ack_wait ?? 0) < nanos(req.minAckWaitMs)) await jsm.consumers.update(req.stream, req.durable!, { ack_wait: nanos(req.minAckWaitMs) });
  } else {
    const config = req.durable ? { ...wanted, durable_name: req.durable } : { ...wanted, inactive_threshold: nanos(EPHEMERAL_IDLE_MS) };
    info = await jsm.consumers.add(req.stream, config);
    created = true;
  }
  const consumer = await nc.jetstream().consumers.get(req.stream, info.name);
  return { consumer, name: info.name, target, created };
}

async function lastSequence(jsm: JetStreamManager, stream: string): Promise<number> {
  try {
    return (await jsm.streams.info(stream)).state.last_seq;
  } catch (err) {
    if (isNotFound(err)) throw new NatsConnectionError(`there is no JetStream stream ${stream} (create it first, e.g. nats stream add ${stream} --subjects "cms.>")`, { cause: err });
    throw jetstreamOff(err) ?? err;
  }
}

/** The error for a server that has no JetStream: nothing answers its API (no responders, 503). */
function jetstreamOff(err: unknown): NatsConnectionError | undefined {
  if ((err as { code?: string }).code === "503" || /jetstream not enabled|no responders/i.test((err as Error).message)) return new NatsConnectionError(`JetStream is not enabled on this NATS server (nats-server -js)`, { cause: err });
  return undefined;
}

function deliverConfig(d: Deliver, P: typeof import("nats").DeliverPolicy): Partial<ConsumerConfig> {
  if (d === "all") return { deliver_policy: P.All };
  if (d === "new") return { deliver_policy: P.New };
  if (d === "last") return { deliver_policy: P.Last };
  if ("time" in d) return { deliver_policy: P.StartTime, opt_start_time: new Date(d.time).toISOString() };
  return { deliver_policy: P.StartSequence, opt_start_seq: d.sequence };
}

/** A JetStream API error for a stream or consumer that is not there (404, code 10014/10059). */
export function isNotFound(err: unknown): boolean {
  const e = err as { code?: string | number; api_error?: { code?: number; err_code?: number }; message?: string };
  return e?.api_error?.code === 404 || e?.code === "404" || /not found/i.test(e?.message ?? "");
}

/**
 * Whether every message stored when the run started has been delivered (to this run or another
 * worker), and those not acknowledged yet are this run's own `held` ones. When others are
 * unacknowledged too (a crashed run's, which come back after the ack wait), the run waits for them,
 * unless it holds some of its own in stats windows (`windows`), which close only when it ends:
 * workers holding their windows would wait for each other forever, so a crashed run's then go to
 * the next. Messages held only on their way to a sink settle on their own and do not count so.
 */
export async function caughtUp(consumer: Consumer, target: number, held: number, windows: boolean): Promise<boolean> {
  const info = await consumer.info();
  const delivered = info.num_pending === 0 || info.delivered.stream_seq >= target;
  return delivered && (info.ack_floor.stream_seq >= target || info.num_ack_pending <= held || (windows && held > 0));
}

/** Acks waiting at most this long, or this many, before they are sent together. */
const ACK_EVERY_MS = 50;
const ACK_BATCH = 1000;

/**
 * Acknowledgements sent in batches: a settled message is queued and the queue is sent on the next
 * tick of {@link ACK_EVERY_MS}, or at once when it reaches {@link ACK_BATCH}. `close` sends the
 * rest and waits until the server has them.
 */
export class Acks {
  private queued: JsMsg[] = [];
  private scheduled = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly scheduler: SchedulerLike,
  ) {}

  add(msg: JsMsg): void {
    this.queued.push(msg);
    if (this.queued.length >= ACK_BATCH) this.send();
    else if (!this.scheduled) {
      this.scheduled = true;
      this.scheduler.schedule(() => this.send(), ACK_EVERY_MS);
    }
  }

  private send(): void {
    this.scheduled = false;
    if (this.nc.isClosed()) return;
    for (const m of this.queued) m.ack();
    this.queued = [];
  }

  /** Sends what is queued and waits until the server has it. */
  async flush(): Promise<void> {
    this.send();
    if (!this.nc.isClosed()) await this.nc.flush();
  }
}
