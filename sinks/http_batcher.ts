/**
 * Delivery to one HTTP endpoint, shared by the metrics sinks: a bounded queue that drops (and counts)
 * at one end when full, batches by size and interval, retries network errors, 5xx and 429 with
 * exponential backoff, gives up at once on other 4xx, and reports problems without flooding stderr.
 */
import { z } from "zod";
import { duration } from "../pipelines/duration.ts";
import { SinkError, type SinkResult } from "./sink.ts";

export type Fetch = typeof fetch;

/** Backoff doubles per attempt up to this, so a large `retries` cannot wait for hours. */
export const MAX_BACKOFF_MS = 30_000;
/** A full queue is reported at most this often (with the count so far), not once per message. */
const OVERFLOW_REPORT_MS = 60_000;

/** Config fields every HTTP sink takes (each sink adds its own `queue`). Bare numbers are seconds. */
export const deliveryFields = {
  drop: z.enum(["oldest", "newest"]).default("oldest").describe("which end of a full queue gives way; either way the loss is counted and reported"),
  retries: z.number().int().min(0).default(5).describe("attempts after the first when the network fails or the server answers 5xx or 429; other 4xx are not retried"),
  backoff: duration.default(500).describe("wait before the first retry, doubled for each next one (up to 30s), e.g. 500ms"),
  timeout: duration.default(10_000).describe("longest wait for one response, e.g. 10s"),
};

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

/** What close() resolves: the counts, and the last reason something was dropped. */
export interface Delivery extends SinkResult {
  failure?: string;
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
  private items: T[] = [];
  private head = 0;
  private delivered = 0;
  private dropped = 0;
  private failure?: string;
  private failing = false;
  private overflowed = 0;
  private overflowWarned = -Infinity;
  private flushDue = false;
  private closing = false;
  private draining?: Promise<void>;
  private readonly timer?: NodeJS.Timeout;
  private readonly reported = new Set<string>();

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
    if (opts.flushMs !== undefined) {
      this.timer = setInterval(() => {
        if (this.pending() === 0) return;
        this.flushDue = true;
        this.kick();
      }, opts.flushMs).unref(); // a timer alone must not keep the process alive
    }
  }

  push(item: T): void {
    if (this.pending() >= this.opts.queue) {
      const lost = this.opts.drop === "newest" ? item : this.items[this.head++];
      this.lose(this.weight([lost]), `queue full (${this.opts.queue})`);
      this.overflowed += this.weight([lost]);
      if (Date.now() - this.overflowWarned >= OVERFLOW_REPORT_MS) {
        this.warn(`${this.name}: queue full (${this.opts.queue}), dropping the ${this.opts.drop}: ${this.overflowed} messages so far`);
        this.overflowWarned = Date.now();
      }
      if (lost === item) return;
    }
    this.items.push(item);
    if (this.pending() >= this.opts.batch) this.kick();
  }

  async close(): Promise<Delivery> {
    this.closing = true;
    clearInterval(this.timer);
    while (this.pending() > 0 || this.draining) {
      this.kick();
      await this.draining;
    }
    return { delivered: this.delivered, dropped: this.dropped, failure: this.failure };
  }

  private pending(): number {
    return this.items.length - this.head;
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
    const batch = this.items.slice(this.head, this.head + n);
    this.head += batch.length;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return batch;
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
    const kind = why.replace(/:.*/, ""); // e.g. "HTTP 400": the first of each kind is shown in full
    if (!this.reported.has(kind)) this.warn(`${this.name}: ${why}; dropped ${n} messages${note}${this.reported.size === 0 ? " (the total is reported at the end)" : ""}`);
    this.reported.add(kind);
  }

  private dropQueue(why: string): void {
    const n = this.weight(this.items.slice(this.head));
    this.items = [];
    this.head = 0;
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

/**
 * The close() result of an HTTP sink: resolves with the counts when everything was delivered, else
 * rejects with a {@link SinkError} saying how much was lost and why (the run then fails, exit 1).
 */
export function settle(name: string, d: Delivery): SinkResult {
  if (d.dropped === 0) return { delivered: d.delivered, dropped: 0 };
  throw new SinkError(name, `${d.dropped} of ${d.delivered + d.dropped} messages not delivered; last reason: ${d.failure}`);
}

/** The URL with any user-info replaced by `***`, for every report. */
export function maskUrl(url: string): string {
  const u = new URL(url);
  if (u.username !== "" || u.password !== "") {
    u.username = "***";
    u.password = "";
  }
  return u.toString();
}

/** fetch refuses URLs with user-info: move it into a Basic authorization header. */
function splitCredentials(url: string): { url: string; authorization?: string } {
  const u = new URL(url);
  if (u.username === "" && u.password === "") return { url };
  const user = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  u.username = u.password = "";
  return { url: u.toString(), authorization: `Basic ${Buffer.from(user).toString("base64")}` };
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
