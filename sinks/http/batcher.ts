/**
 * Delivery to one HTTP endpoint, shared by the metrics sinks: a queue bounded in items and in bytes
 * that drops (and counts) at one end when full, batches by size and interval, retries network
 * errors, timeouts, 5xx and 429 with exponential backoff, gives up at once on other 4xx, and reports
 * problems without flooding stderr. Time (flush interval, backoff, report window) and randomness
 * (backoff jitter) come in as a scheduler and a random source, so tests run it on virtual time.
 */
import { asyncScheduler, type SchedulerLike, type Subscription } from "rxjs";
import type { SinkResult } from "../sink.ts";
import { type DeliveryOptions, shownUrl, splitCredentials } from "./delivery.ts";
import { type Receipt, releaseAll } from "../../lib/message.ts";
import { RingQueue } from "./ring_queue.ts";

export type Fetch = typeof fetch;

/** Backoff doubles per attempt up to this, so a large `retries` cannot wait for hours. */
export const MAX_BACKOFF_MS = 30_000;
/** Each kind of loss (queue full, HTTP 400, a refused connection...) is reported at most this often. */
const REPORT_EVERY_MS = 60_000;
/**
 * Bytes the queued items may hold at most, whatever `queue` says (items of the text a batch body
 * is made of: about 2 bytes a character in memory): a dead server under a burst must not grow the
 * process without bound.
 */
export const MAX_QUEUE_BYTES = 32 * 1024 * 1024;

/** Where and how batches go. */
export interface Endpoint<T> {
  url: string;
  method: "POST" | "PUT";
  contentType: string;
  /** The request body of a batch; built once per batch, not per attempt. */
  body(items: readonly T[]): string | Promise<string>;
  /** Messages an item stands for, for the delivered/dropped counts. @default 1 */
  weight?(item: T): number;
  /** Bytes an item holds while queued. @default its length × 2 for text, else 0 */
  bytes?(item: T): number;
}

/** Why a request failed, by kind: what is retried and how losses are grouped in reports follow from it. */
export type Failure =
  | { kind: "http"; status: number; text: string }
  | { kind: "timeout" | "network" | "encode"; text: string };

/** Network errors, timeouts, 5xx and 429 may pass on a later attempt; other answers will not. */
export function retryable(f: Failure): boolean {
  return f.kind === "network" || f.kind === "timeout" || (f.kind === "http" && (f.status >= 500 || f.status === 429));
}

export interface BatcherClock {
  scheduler: SchedulerLike;
  /** A number in [0, 1): the jitter of each backoff. @default Math.random */
  random?: () => number;
}

/**
 * Queues items and sends them in batches to one endpoint, one request at a time (in order).
 * `push` never blocks or throws; `close` sends what is left and resolves with the counts. While
 * closing, a batch that exhausts its retries drops the rest of the queue at once: the server is
 * down, and close should take at most one retry budget, not one per batch.
 */
export class HttpBatcher<T> {
  /** Names the sink in reports, credentials masked. */
  readonly name: string;
  private readonly url: string;
  private readonly headers: Record<string, string>;
  /** Bounded by `queue` in items and in memory: a dropped or sent item is released at once. */
  private readonly items: RingQueue<T>;
  /** Beside each item, the receipts of its messages: released when its batch is delivered or given up. */
  private readonly receipts: RingQueue<readonly Receipt[] | undefined>;
  private delivered = 0;
  private dropped = 0;
  private failure?: string;
  private failing = false;
  private overflowed = 0;
  private flushDue = false;
  private closing = false;
  private draining?: Promise<void>;
  /** Messages ever pushed: what is neither delivered nor dropped is queued or being sent. */
  private pushed = 0;
  private readonly timer?: Subscription;
  /** When each kind of loss was last reported. */
  private readonly reported = new Map<string, number>();
  private readonly scheduler: SchedulerLike;
  private readonly random: () => number;
  /** Bytes the queued items hold. */
  private queuedBytes = 0;
  private readonly bytes: (item: T) => number;

  constructor(
    kind: string,
    private readonly endpoint: Endpoint<T>,
    private readonly opts: DeliveryOptions,
    private readonly warn: (text: string) => void,
    clock: BatcherClock = { scheduler: asyncScheduler },
    private readonly fetchFn: Fetch = fetch,
  ) {
    const { url, authorization } = splitCredentials(endpoint.url);
    this.url = url;
    this.name = `${kind} ${shownUrl(endpoint.url)}`;
    this.headers = { "content-type": endpoint.contentType, ...(authorization ? { authorization } : {}) };
    this.items = new RingQueue<T>(opts.queue);
    this.receipts = new RingQueue<readonly Receipt[] | undefined>(opts.queue);
    this.scheduler = clock.scheduler;
    this.random = clock.random ?? Math.random;
    this.bytes = endpoint.bytes ?? ((item) => (typeof item === "string" ? item.length * 2 : 0));
    const flushMs = opts.flushMs;
    if (flushMs !== undefined) {
      const batcher = this;
      this.timer = this.scheduler.schedule(function () {
        if (batcher.pending() > 0) {
          batcher.flushDue = true;
          batcher.kick();
        }
        this.schedule(undefined, flushMs);
      }, flushMs);
    }
  }

  /** Queues an item; `receipts` (of the messages it stands for) are released once it is delivered or given up. */
  push(item: T, receipts?: readonly Receipt[]): void {
    this.pushed += this.weight([item]);
    const size = this.bytes(item);
    while (this.pending() > 0 && (this.pending() >= this.opts.queue || this.queuedBytes + size > MAX_QUEUE_BYTES)) {
      const full = this.pending() >= this.opts.queue ? `queue full (${this.opts.queue})` : `queue full (${MAX_QUEUE_BYTES / 1024 / 1024} MB)`;
      const newest = this.opts.drop === "newest";
      const [lost, lostReceipts] = newest ? [[item], [receipts]] : this.take(1);
      for (const r of lostReceipts) releaseAll(r, false);
      this.lose(this.weight(lost), full);
      this.overflowed += this.weight(lost);
      this.report("queue full", `${full}, dropping the ${this.opts.drop}: ${this.overflowed} messages so far`);
      if (newest) return;
    }
    this.items.push(item);
    this.receipts.push(receipts);
    this.queuedBytes += size;
    if (this.pending() >= this.opts.batch) this.kick();
  }

  async close(): Promise<SinkResult> {
    this.closing = true;
    this.timer?.unsubscribe();
    while (this.pending() > 0 || this.draining) {
      this.kick();
      await this.draining;
    }
    return this.failure === undefined ? { delivered: this.delivered, dropped: this.dropped } : { delivered: this.delivered, dropped: this.dropped, failure: this.failure };
  }

  /** Messages queued or in a request not answered yet: what exiting now would lose. */
  unsent(): number {
    return this.pushed - this.delivered - this.dropped;
  }

  private pending(): number {
    return this.items.size;
  }

  private kick(): void {
    this.draining ??= this.drain();
  }

  private async drain(): Promise<void> {
    await Promise.resolve(); // let the current burst of writes fill the batch first
    try {
      while (this.pending() >= this.opts.batch || (this.pending() > 0 && (this.flushDue || this.closing))) {
        this.flushDue = false;
        await this.deliver(...this.take(this.opts.batch));
      }
    } finally {
      this.draining = undefined;
    }
  }

  /** The oldest `n` items and their receipts; a given-up item's receipts are released unsettled by the caller. */
  private take(n: number): [T[], (readonly Receipt[] | undefined)[]] {
    const items = this.items.take(n);
    const receipts = this.receipts.take(n);
    for (const item of items) this.queuedBytes -= this.bytes(item);
    return [items, receipts];
  }

  private async deliver(batch: T[], receipts: (readonly Receipt[] | undefined)[]): Promise<void> {
    const n = this.weight(batch);
    const settle = (delivered: boolean) => {
      for (const r of receipts) releaseAll(r, delivered);
    };
    let body: string;
    try {
      body = await this.endpoint.body(batch);
    } catch (err) {
      settle(false);
      return this.giveUp(n, { kind: "encode", text: `cannot encode the batch: ${(err as Error).message}` });
    }
    for (let attempt = 0; ; attempt++) {
      const failure = await this.send(body);
      if (failure === undefined) {
        settle(true);
        this.delivered += n;
        if (this.failing) this.warn(`${this.name}: delivering again`);
        this.failing = false;
        return;
      }
      if (!retryable(failure) || attempt >= this.opts.retries) {
        settle(false);
        this.giveUp(n, failure, attempt > 0 ? ` after ${attempt + 1} attempts` : "");
        if (retryable(failure) && this.closing) this.dropQueue(failure.text);
        return;
      }
      if (!this.failing) this.warn(`${this.name}: ${failure.text}; retrying up to ${this.opts.retries} times, queueing up to ${this.opts.queue}`);
      this.failing = true;
      await this.sleep(backoff(this.opts.backoffMs, attempt, this.random()));
    }
  }

  /** One request; undefined when it succeeded, else why not. */
  private async send(body: string): Promise<Failure | undefined> {
    try {
      // bytes, not a string: fetch then skips its web-stream text encoding (a third faster per batch)
      const init = { method: this.endpoint.method, headers: this.headers, body: Buffer.from(body), signal: AbortSignal.timeout(this.opts.timeoutMs) };
      const res = await this.fetchFn(this.url, init);
      const text = await res.text(); // read to the end, so the connection is reused
      if (res.ok) return undefined;
      const first = text.trim().split("\n", 1)[0].slice(0, 300);
      return { kind: "http", status: res.status, text: `HTTP ${res.status}${first ? `: ${first}` : ""}` };
    } catch (err) {
      const e = err as Error & { cause?: { message?: string } };
      if (e.name === "TimeoutError") return { kind: "timeout", text: `no response within ${this.opts.timeoutMs}ms` };
      return { kind: "network", text: e.cause?.message ?? e.message };
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.scheduler.schedule(resolve, ms));
  }

  private giveUp(n: number, failure: Failure, note = ""): void {
    this.lose(n, failure.text);
    const first = this.reported.size === 0 ? " (the total is reported at the end)" : "";
    this.report(failure.kind === "http" ? `http ${failure.status}` : failure.kind, `${failure.text}; dropped ${n} messages${note}${first}`);
  }

  private report(kind: string, text: string): void {
    const now = this.scheduler.now();
    if (now - (this.reported.get(kind) ?? -Infinity) < REPORT_EVERY_MS) return;
    this.reported.set(kind, now);
    this.warn(`${this.name}: ${text}`);
  }

  private dropQueue(why: string): void {
    const [items, receipts] = this.take(this.items.size);
    for (const r of receipts) releaseAll(r, false);
    const n = this.weight(items);
    if (n === 0) return;
    this.lose(n, why);
    this.warn(`${this.name}: not waiting out the retries for the rest of the queue either; dropped ${n} messages`);
  }

  private lose(n: number, why: string): void {
    this.dropped += n;
    this.failure = why;
  }

  private weight(items: readonly T[]): number {
    const w = this.endpoint.weight;
    return w ? items.reduce((sum, item) => sum + w(item), 0) : items.length;
  }
}

/** Exponential backoff with jitter (half fixed, half random), so retrying senders spread out. */
export function backoff(baseMs: number, attempt: number, random: number): number {
  const ms = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** attempt);
  return ms / 2 + (random * ms) / 2;
}
