import { take } from "rxjs";
import * as z from "zod";
import { stepKind } from "./step.ts";

/** `--limit 100` is `{count: 100}`. */
export const limitConfig = z.preprocess(
  (v) => (typeof v === "number" || (typeof v === "string" && /^\d+$/.test(v)) ? { count: Number(v) } : v),
  z.strictObject({ count: z.number().int().positive().describe("messages let through; then the source stops").meta({ examples: [1000] }) }),
);

export const kind = stepKind({
  name: "limit",
  description: "let the first N messages through, then stop the source (a quick look at a big recording or a live stream)",
  config: limitConfig,
  examples: ["100", "'{count: 1000}'"],
  accepts: ["payloads", "records", "windows"],
  produces: (input) => input,
  create: (config) => take(config.count),
});
