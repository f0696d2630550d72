/**
 * Delivery to one HTTP endpoint, shared by the metrics sinks: a bounded queue that drops (and counts)
 * at one end when full, batches by size and interval, retries network errors, 5xx and 429 with
 * exponential backoff, gives up at once on other 4xx, and reports problems without flooding stderr.
 */
import { maskUrl, splitCredentials } from "./http_sink.ts";
import { RingQueue } from "./ring_queue.ts";
import type { SinkResult } from "./sink.ts";

export type Fetch = typeof fetch;

/** Backoff doubles per attempt up to this, so a large `retries` cannot wait for hours. */
export const MAX_BACKOFF_MS = 30_000;
/** Each kind of loss (queue full, HTTP 400, ECONNREFUSED...) is reported at most this often. */
const REPORT_EVERY_MS = 60_000;

export interface DeliveryOptions {
  /** Items per request. */
  batch: number;
  /** Send a partial batch this often; undefined: only when full (or on close). */
  flushMs?: number;
  /** Items waiting at most; beyond it `drop` says which end gives way. */
  queue: number;
  drop: "oldest" | "newest";
  retries: number;
  backoffMs: number;
  timeoutMs: number;
}

/** Where and how batches go. */
export interface Endpoint<T> {
  url: string;
  method: "POST" | "PUT";
  contentType: string;
  /** The request body of a batch; built once per batch, not per attempt. */
  body(items: readonly T[]): string | Promise<string>;
  /** Messages an item stands for, for the delivered/dropped counts. @default 1 */
  weight?(item: T): number;
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
  private readonly timer?: NodeJS.Timeout;
  /** When each kind of loss was last reported. */
  private readonly reported = new Map<string, number>();

  constructor(
    kind: string,
    private readonly endpoint: Endpoint<T>,
    private readonly opts: DeliveryOptions,
    private readonly warn: (text: string) => void,
    private readonly fetchFn: Fetch = fetch,
  ) {
    const { url, authorization } = splitCredentials(endpoint.url);
    this.url = url;
    this.name = `${kind} ${maskUrl(endpoint.url)}`;
    this.headers = { "content-type": endpoint.contentType, ...(authorization ? { authorization } : {}) };
    this.items = new RingQueue<T>(opts.queue);
    if (opts.flushMs !== undefined) {
      this.timer = setInterval(() => {
        if (this.pending() === 0) return;
        this.flushDue = true;
        this.kick();
      }, opts.flushMs).unref(); // a timer alone must not keep the process alive
    }
  }

  push(item: T): void {
    this.pushed += this.endpoint.weight ? this.endpoint.weight(item) : 1;
    if (this.pending() >= this.opts.queue) {
      const lost = this.opts.drop === "newest" ? item : (this.items.shift() as T);
      this.lose(this.weight([lost]), `queue full (${this.opts.queue})`);
      this.overflowed += this.weight([lost]);
      this.report("queue full", `queue full (${this.opts.queue}), dropping the ${this.opts.drop}: ${this.overflowed} messages so far`);
      if (lost === item) return;
    }
    this.items.push(item);
    if (this.pending() >= this.opts.batch) this.kick();
  }

  async close(): Promise<SinkResult> {
    this.closing = true;
    clearInterval(this.timer);
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
        await this.deliver(this.take(this.opts.batch));
      }
    } finally {
      this.draining = undefined;
    }
  }

  private take(n: number): T[] {
    return this.items.take(n);
  }

  private async deliver(batch: T[]): Promise<void> {
    const n = this.weight(batch);
    let body: string;
    try {
      body = await this.endpoint.body(batch);
    } catch (err) {
      return this.giveUp(n, `cannot encode the batch: ${(err as Error).message}`);
    }
    for (let attempt = 0; ; attempt++) {
      const failure = await this.send(body);
      if (failure === undefined) {
        this.delivered += n;
        if (this.failing) this.warn(`${this.name}: delivering again`);
        this.failing = false;
        return;
      }
      if (!failure.retry || attempt >= this.opts.retries) {
        this.giveUp(n, failure.text, attempt > 0 ? ` after ${attempt + 1} attempts` : "");
        if (failure.retry && this.closing) this.dropQueue(failure.text);
        return;
      }
      if (!this.failing) this.warn(`${this.name}: ${failure.text}; retrying up to ${this.opts.retries} times, queueing up to ${this.opts.queue}`);
      this.failing = true;
      await sleep(backoff(this.opts.backoffMs, attempt));
    }
  }

  /** One request; undefined when it succeeded, else why not and whether trying again may help. */
  private async send(body: string): Promise<{ retry: boolean; text: string } | undefined> {
    try {
      // bytes, not a string: fetch then skips its web-stream text encoding (a third faster per batch)
      const init = { method: this.endpoint.method, headers: this.headers, body: Buffer.from(body), signal: AbortSignal.timeout(this.opts.timeoutMs) };
      const res = await this.fetchFn(this.url, init);
      const text = await res.text(); // read to the end, so the connection is reused
      if (res.ok) return undefined;
      const first = text.trim().split("\n", 1)[0].slice(0, 300);
      return { retry: res.status >= 500 || res.status === 429, text: `HTTP ${res.status}${first ? `: ${first}` : ""}` };
    } catch (err) {
      return { retry: true, text: networkError(err, this.opts.timeoutMs) };
    }
  }

  private giveUp(n: number, why: string, note = ""): void {
    this.lose(n, why);
    const first = this.reported.size === 0 ? " (the total is reported at the end)" : "";
    this.report(why.replace(/:.*/, ""), `${why}; dropped ${n} messages${note}${first}`); // kind: e.g. "HTTP 400"
  }

  private report(kind: string, text: string): void {
    const now = Date.now();
    if (now - (this.reported.get(kind) ?? -Infinity) < REPORT_EVERY_MS) return;
    this.reported.set(kind, now);
    this.warn(`${this.name}: ${text}`);
  }

  private dropQueue(why: string): void {
    const n = this.weight(this.items.take(this.items.size));
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

function networkError(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { message?: string } };
  if (e.name === "TimeoutError") return `no response within ${timeoutMs}ms`;
  return e.cause?.message ?? e.message;
}

/** Exponential backoff with jitter (half fixed, half random), so retrying senders spread out. */
function backoff(baseMs: number, attempt: number): number {
  const ms = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** attempt);
  return ms / 2 + (Math.random() * ms) / 2;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms)); // kept ref'd: close() may be waiting on it
}
