/**
 * Delivery settings every HTTP sink takes (config fields with their defaults, and the batcher
 * options made from them), and credentials written in a URL.
 */
import * as z from "zod";
import { duration } from "../../lib/duration.ts";
import { hideUserInfo } from "../../lib/redact.ts";

/** Config fields every HTTP sink takes (each sink adds its own `batch`, `flush` and `queue`). Bare numbers are seconds. */
export const deliveryFields = {
  drop: z.enum(["oldest", "newest"]).default("oldest").describe("which end of a full queue gives way; either way the loss is counted and reported"),
  retries: z.number().int().min(0).default(5).describe("attempts after the first when the network fails or the server answers 5xx or 429; other 4xx are not retried"),
  backoff: duration.prefault("500ms").describe("wait before the first retry, doubled for each next one (up to 30s)"),
  timeout: duration.prefault("10s").describe("longest wait for one response"),
};

type DeliveryConfig = { [K in keyof typeof deliveryFields]: z.output<(typeof deliveryFields)[K]> };

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

/** The batcher options of a sink's config, plus what the sink decides itself. */
export function deliveryOptions(config: DeliveryConfig, own: Pick<DeliveryOptions, "batch" | "queue" | "flushMs">): DeliveryOptions {
  return { ...own, batch: Math.min(own.batch, own.queue), drop: config.drop, retries: config.retries, backoffMs: config.backoff, timeoutMs: config.timeout };
}

/** The URL as reports show it: normalized, user-info replaced by `***`. */
export function shownUrl(url: string): string {
  return hideUserInfo(new URL(url).toString());
}

/** fetch refuses URLs with user-info: it moves into a Basic authorization header. */
export function splitCredentials(url: string): { url: string; authorization?: string } {
  const u = new URL(url);
  if (u.username === "" && u.password === "") return { url };
  const user = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  u.username = u.password = "";
  return { url: u.toString(), authorization: `Basic ${Buffer.from(user).toString("base64")}` };
}
