import { tap } from "rxjs";
import * as z from "zod";
import { duration } from "../../lib/duration.ts";
import { messageCount, windowColumns } from "../../lib/message.ts";
import { compileFilter } from "../../operators/filter_by_attribute.ts";
import { measureNames, windowStats } from "../../operators/window_stats.ts";
import { conditions } from "./filter.ts";
import { stepKind } from "./step.ts";

/** `site`, `site,exitCode` or `[site, exitCode]`. */
const names = z.preprocess((v) => (typeof v === "string" ? v.split(",").map((s) => s.trim()) : v), z.array(z.string().min(1)));

export const statsConfig = z.strictObject({
  every: z
    .union([z.literal("all"), duration])
    .describe("window length (windows are aligned to the epoch), or all: one window for the whole run, emitted at its end")
    .meta({ examples: ["60s"] }),
  by: names.default([]).describe("attributes to count by; a message without one counts under the empty value").meta({ examples: ["[site]"] }),
  count_if: z.record(z.string().min(1), z.unknown()).optional().describe("named conditions, each a column counting the messages that meet it, e.g. {failed: {exitCode: {ne: 0}}}"),
  distinct: names.optional().describe("attributes whose distinct values are counted: a column distinct_<name> each"),
  sum: names.optional().describe("numeric attributes summed: sum_<name> (values that are not numbers are skipped and counted)"),
  min: names.optional().describe("numeric attributes: min_<name>"),
  max: names.optional().describe("numeric attributes: max_<name>"),
  avg: names.optional().describe("numeric attributes: avg_<name>"),
  top: z.number().int().positive().optional().describe("keep only the N rows with the largest counts per window"),
  sort: z.enum(["value", "count"]).optional().describe("rows in a window by value (numbers first, numerically) or by count (largest first); default value, count with top"),
  lateness: duration.optional().describe("how long a window stays open after its end for messages that come late (default 0); later ones are counted as late, never put in a newer window"),
}).superRefine((c, ctx) => {
  for (const [name, cond] of Object.entries(c.count_if ?? {})) {
    const r = conditions.safeParse(cond);
    if (!r.success) ctx.addIssue({ code: "custom", message: `${r.error.issues[0].message}; a condition as --filter takes it, e.g. {exitCode: {ne: 0}}`, path: ["count_if", name, ...r.error.issues[0].path] });
  }
});
export type StatsConfig = z.infer<typeof statsConfig>;

/** The measure columns of a stats config, count first. */
export function statsMeasures(c: StatsConfig): string[] {
  return measureNames({ countIf: Object.keys(c.count_if ?? {}), distinct: c.distinct, sum: c.sum, min: c.min, max: c.max, avg: c.avg });
}

export const kind = stepKind({
  name: "stats",
  description: "measure messages per window (aligned to the epoch) by attribute values: count, count_if, distinct, sum, min, max, avg",
  config: statsConfig,
  shorthand: "every",
  examples: [
    "'{every: 60s, by: [site]}'",
    "'{every: 10s}'",
    "'{every: 1m, by: [site, exitCode], top: 10}'",
    "'{every: all, by: [exitCode], top: 5}'",
    "'{every: 10m, by: [site], count_if: {failed: {exitCode: {ne: 0}}}, distinct: [campaign]}'",
  ],
  accepts: ["records"],
  produces: () => "windows",
  scope: (config, input) => ({ keys: input.keys, names: windowColumns(config.by, statsMeasures(config)), closed: true }),
  create: (config, ctx) => {
    const aggregated = ctx.counter("aggregated", "aggregated");
    const late = ctx.counter("late", "drop");
    const nonNumeric = ctx.counter("non_numeric", "info");
    const refs = (list?: readonly string[]) => list?.map(ctx.attribute);
    const op = windowStats(
      {
        everyMs: config.every === "all" ? "all" : config.every,
        by: config.by.map(ctx.attribute),
        measures: {
          countIf: Object.entries(config.count_if ?? {}).map(([name, cond]) => ({ name, test: compileFilter(conditions.parse(cond), ctx.attribute) })),
          distinct: refs(config.distinct),
          sum: refs(config.sum),
          min: refs(config.min),
          max: refs(config.max),
          avg: refs(config.avg),
        },
        top: config.top,
        sort: config.sort,
        latenessMs: config.lateness ?? 0,
        clock: ctx.live ? "scheduler" : "messages",
        onLate: (msg) => {
          aggregated.n -= messageCount(msg);
          late.n += messageCount(msg);
        },
        onNonNumeric: () => nonNumeric.n++,
      },
      ctx.scheduler,
    );
    return (source) => op(source.pipe(tap((msg) => (aggregated.n += messageCount(msg)))));
  },
});
