import * as z from "zod";
import { DEFAULT_SEP } from "../../formats/payload.ts";
import { parse as parseOperator } from "../../operators/parse.ts";
import { stepKind } from "./step.ts";

const FORMATS = ["auto", "cms", "json"] as const;

/** `cms`, `{cms: {sep: ";"}}` and `{format: cms, sep: ";"}` all mean the same parse config. */
export const parseConfig = z.preprocess(
  (v) => {
    const keys = typeof v === "object" && v !== null ? Object.keys(v) : [];
    if (keys.length === 1 && (FORMATS as readonly string[]).includes(keys[0])) {
      return { format: keys[0], ...((v as Record<string, object>)[keys[0]] ?? {}) };
    }
    return v;
  },
  z.strictObject({
    format: z.enum(FORMATS).default("auto").describe("auto: JSON when the payload starts with {, else cms"),
    sep: z.string().min(1).default(DEFAULT_SEP).describe("separator of cms key:value pairs (default three spaces)"),
    keys: z.enum(["camel", "keep"]).default("camel").describe("camel: ExitCode and exitCode are one attribute (either spelling finds it); keep: keys as written"),
    malformed: z
      .enum(["drop", "keep"])
      .default("drop")
      .describe("drop: a payload that cannot be read is counted, reported and left out; keep: it also goes on, with no attributes (so stats count it, as nats-sub -showStats does)"),
  }),
);

export type ParseConfig = z.infer<typeof parseConfig>;

export const kind = stepKind({
  name: "parse",
  description: "read payloads into attributes: auto (default), cms, json; added first when a later step or sink needs attributes",
  config: parseConfig,
  shorthand: "format",
  examples: ["auto", "cms", "json", "'cms: {sep: \";\"}'", "'{format: json, keys: keep}'"],
  accepts: ["payloads"],
  produces: () => "records",
  scope: (config) => ({ keys: config.keys, names: [], closed: false }),
  create: (config, ctx) => {
    ctx.counter("parse_errors", config.malformed === "keep" ? "info" : "drop"); // its place in the summary, and whether it is a drop
    return parseOperator({ ...config, keysSeen: ctx.keysSeen, only: ctx.attributesRead }, (failure) => ctx.parseFailed(failure));
  },
});
