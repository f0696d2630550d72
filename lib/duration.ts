import * as z from "zod";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/;

/**
 * Reads a duration: `500ms`, `10s`, `1.5m`, `2h`, `1d`; a bare number is seconds (as nats-sub's
 * `-statsInterval`). Returns milliseconds, or undefined when the text is not a positive duration.
 */
export function parseDuration(value: string | number): number | undefined {
  const m = DURATION.exec(String(value).trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * UNITS[m[2] ?? "s"];
  return ms > 0 ? ms : undefined;
}

/** Milliseconds as a duration is written: `1500ms`, `10s`, `2m`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * A duration config field (`10s`, `1m`, a bare number of seconds), read into milliseconds. Give its
 * default with `.prefault("10s")`, so the default is written (and shown) as a user writes it.
 */
export const duration = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === undefined) ctx.addIssue({ code: "custom", message: `${JSON.stringify(v)} is not a duration; write e.g. 500ms, 10s, 1m, 2h, 1d` });
    return ms ?? 0;
  })
  .meta({ format: "duration" });
