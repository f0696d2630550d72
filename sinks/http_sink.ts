/**
 * What the HTTP sinks share besides the batcher: their delivery config fields, credentials written in
 * a URL.
 */
import { z } from "zod";
import { duration } from "../pipelines/duration.ts";
import type { DeliveryOptions } from "./http_batcher.ts";

/** Config fields every HTTP sink takes (each sink adds its own `queue`). Bare numbers are seconds. */
export const deliveryFields = {
  drop: z.enum(["oldest", "newest"]).default("oldest").describe("which end of a full queue gives way; either way the loss is counted and reported"),
  retries: z.number().int().min(0).default(5).describe("attempts after the first when the network fails or the server answers 5xx or 429; other 4xx are not retried"),
  backoff: duration.default(500).describe("wait before the first retry, doubled for each next one (up to 30s), e.g. 500ms"),
  timeout: duration.default(10_000).describe("longest wait for one response, e.g. 10s"),
};

type DeliveryConfig = { [K in keyof typeof deliveryFields]: z.output<(typeof deliveryFields)[K]> };

/** The batcher options of a sink's config, plus what the sink decides itself. */
export function deliveryOptions(config: DeliveryConfig, own: Pick<DeliveryOptions, "batch" | "queue" | "flushMs">): DeliveryOptions {
  return { ...own, batch: Math.min(own.batch, own.queue), drop: config.drop, retries: config.retries, backoffMs: config.backoff, timeoutMs: config.timeout };
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

/** fetch refuses URLs with user-info: it moves into a Basic authorization header. */
export function splitCredentials(url: string): { url: string; authorization?: string } {
  const u = new URL(url);
  if (u.username === "" && u.password === "") return { url };
  const user = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  u.username = u.password = "";
  return { url: u.toString(), authorization: `Basic ${Buffer.from(user).toString("base64")}` };
}
