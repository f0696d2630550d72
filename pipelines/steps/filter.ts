import * as z from "zod";
import { type Condition, compileFilter, FilterError, filterByAttribute } from "../../operators/filter_by_attribute.ts";
import { stepKind } from "./step.ts";

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** One condition on an attribute (the filter step's and stats `count_if`'s). */
export const condition: z.ZodType<Condition> = z.lazy(() =>
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

/** Attribute name → condition, every one compiled once to find patterns that cannot be used. */
export const conditions = z.record(z.string(), condition).superRefine((conds, ctx) => {
  if (Object.keys(conds).length === 0) ctx.addIssue({ code: "custom", message: "no condition given; write e.g. 'site: \"T2_*\"'" });
  try {
    compileFilter(conds);
  } catch (err) {
    if (!(err instanceof FilterError)) throw err;
    ctx.addIssue({ code: "custom", message: err.message, path: err.path });
  }
});

export const kind = stepKind({
  name: "filter",
  description: "keep messages (or stats rows) whose attributes meet every condition",
  config: conditions,
  examples: ["'site: \"T2_*\"'", "'exitCode: {gte: 8000}'", "'site: /^T[12]_/'", "'exitCode: {in: [8028, 50660]}'", "'campaign: {exists: true}'"],
  accepts: ["records", "windows"],
  produces: (input) => input,
  create: (config, ctx) => {
    const dropped = ctx.counter(ctx.input === "windows" ? "filtered_rows" : "filtered", ctx.input === "windows" ? "rows" : "drop");
    return filterByAttribute(config, ctx.attribute, () => dropped.n++);
  },
});
