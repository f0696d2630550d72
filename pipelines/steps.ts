/** The step kinds a pipeline may chain, each an operator from operators/ with its config schema. */
import type { OperatorFunction, SchedulerLike } from "rxjs";
import { z } from "zod";
import { type Condition, compileFilter, FilterError, filterByAttribute } from "../operators/filter_by_attribute.ts";
import type { Message } from "../operators/message.ts";
import { type ParseFailure, parse } from "../operators/parse.ts";
import { DEFAULT_SEP } from "../operators/payload.ts";
import { select, selectedNames } from "../operators/select.ts";
import { stats } from "../operators/stats.ts";
import { duration } from "./duration.ts";
import type { Kind } from "./kind.ts";

export interface StepContext {
  scheduler: SchedulerLike;
  /** True for live sources: stats windows then close on the scheduler's clock too. */
  live: boolean;
  onParseError(failure: ParseFailure): void;
  onFiltered(msg: Message): void;
}

type Step<C> = Kind<C, StepContext, OperatorFunction<Message, Message>> & {
  /** The columns the step's output has, given those of its input (undefined: not known). */
  columns(config: C, input: readonly string[] | undefined): readonly string[] | undefined;
};

const FORMATS = ["auto", "cms", "json"] as const;

/** `cms`, `{cms: {sep: ";"}}` and `{format: cms, sep: ";"}` all mean the same parse config. */
const parseConfig = z.preprocess(
  (v) => {
    const keys = typeof v === "object" && v !== null ? Object.keys(v) : [];
    if (keys.length === 1 && (FORMATS as readonly string[]).includes(keys[0])) {
      return { format: keys[0], ...((v as Record<string, object>)[keys[0]] ?? {}) };
    }
    return v;
  },
  z.strictObject({
    format: z.enum(FORMATS).default("auto").describe("auto: JSON when the payload starts with {, else cms"),
    sep: z.string().min(1).default(DEFAULT_SEP).describe("separator of cms key:value pairs"),
    keys: z.enum(["camel", "keep"]).default("camel").describe("camel: ExitCode and exitCode are one attribute"),
  }),
);

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    scalar,
    z.null(),
    z.strictObject({
      eq: scalar.optional(),
      ne: scalar.optional(),
      gt: scalar.optional(),
      gte: scalar.optional(),
      lt: scalar.optional(),
      lte: scalar.optional(),
      in: z.array(scalar).optional(),
      exists: z.boolean().optional(),
      glob: z.string().optional(),
      regex: z.string().optional(),
      not: condition.optional(),
    }),
  ]),
);

const filterConfig = z.record(z.string(), condition).superRefine((conds, ctx) => {
  if (Object.keys(conds).length === 0) ctx.addIssue({ code: "custom", message: "no condition given" });
  try {
    compileFilter(conds);
  } catch (err) {
    if (!(err instanceof FilterError)) throw err;
    ctx.addIssue({ code: "custom", message: err.message, path: err.path });
  }
});

const NAME_LIST = z.array(z.string().min(1)).min(1);
/** `site,exitCode`, `[site, exitCode]` or `{newName: attribute}`. */
const nameList = z.preprocess((v) => (typeof v === "string" ? v.split(",").map((s) => s.trim()) : v), NAME_LIST);
const selectConfig = z.union([nameList, z.record(z.string(), z.string().min(1))]);

const statsConfig = z.strictObject({
  every: duration.describe("window length, e.g. 10s, 1m"),
  by: nameList.default([]).describe("attributes to count by"),
  top: z.number().int().positive().optional().describe("keep only the N largest counts per window"),
});

const parseStep: Step<z.infer<typeof parseConfig>> = {
  description: "read payloads into attributes: auto (default), cms, json",
  config: parseConfig,
  shorthand: "format",
  examples: ["cms", "json", "'cms: {sep: \";\"}'"],
  create: (config, ctx) => parse(config, ctx.onParseError),
  columns: () => undefined,
};

const filterStep: Step<z.infer<typeof filterConfig>> = {
  description: "keep messages whose attributes meet every condition",
  config: filterConfig,
  examples: ["'site: \"T2_*\"'", "'exitCode: {gte: 8000}'", "'site: /^T[12]_/'", "'exitCode: {in: [8028, 50660]}'", "'campaign: {exists: true}'"],
  create: (config, ctx) => filterByAttribute(config, ctx.onFiltered),
  columns: (_, input) => input,
};

const selectStep: Step<z.infer<typeof selectConfig>> = {
  description: "keep the named attributes in this order (a mapping renames: {newName: attribute})",
  config: selectConfig,
  examples: ["site,exitCode,campaign", "'[site, exitCode]'", "'{site: Site, code: ExitCode}'"],
  create: (config) => select(config),
  columns: (config) => selectedNames(config),
};

const statsStep: Step<z.infer<typeof statsConfig>> = {
  description: "count messages per window (aligned to the epoch), by attribute values",
  config: statsConfig,
  shorthand: "every",
  examples: ["'{every: 60s, by: [site]}'", "'{every: 10s}'", "'{every: 1m, by: [site, exitCode], top: 10}'"],
  create: (config, ctx) =>
    stats({ everyMs: config.every, by: config.by, top: config.top, clock: ctx.live ? "scheduler" : "messages" }, ctx.scheduler),
  columns: (config) => ["window_start", "window_end", ...config.by, "count"],
};

export const steps = { parse: parseStep, filter: filterStep, select: selectStep, stats: statsStep };
