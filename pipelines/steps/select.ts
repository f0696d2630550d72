import * as z from "zod";
import { select as selectOperator } from "../../operators/select.ts";
import { stepKind } from "./step.ts";

/** `new:old` renames; a plain name keeps its own. */
function entry(text: string): [string, string] {
  const colon = text.indexOf(":");
  return colon < 0 ? [text.trim(), text.trim()] : [text.slice(0, colon).trim(), text.slice(colon + 1).trim()];
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `site,exitCode`, `site:Site,code:ExitCode` (renames, new:old), `[site, exitCode]`,
 * `{newName: attribute}`, or `{attributes: [...], order: payload}`: all one config shape.
 */
export const selectConfig = z.preprocess(
  (v) => {
    const list = typeof v === "string" ? v.split(",") : v;
    if (Array.isArray(list)) return { attributes: list };
    if (isMapping(list) && !(Object.hasOwn(list, "attributes") && Object.hasOwn(list, "order"))) {
      return { attributes: Object.entries(list).map(([to, from]) => (typeof from === "string" ? `${to}:${from}` : from)) };
    }
    return list;
  },
  z.strictObject({
    attributes: z
      .array(z.string().refine((s) => entry(s).every((part) => part !== ""), "an attribute name is empty"))
      .min(1)
      .transform((list) => list.map(entry))
      .describe("attributes to keep, each name or new:old; a name as in the payload (Site) or as parsed (site) works")
      .meta({ examples: ["site,exitCode"] }),
    order: z.enum(["given", "payload"]).default("given").describe("given: in this order; payload: in the payload's own order (nats-sub -attrs)"),
  }),
);

export type SelectConfig = z.infer<typeof selectConfig>;

export const kind = stepKind({
  name: "select",
  description: "keep the named attributes in this order; new:old or a mapping {new: old} renames",
  config: selectConfig,
  examples: ["site,exitCode,campaign", "'[site, exitCode]'", "site:Site,code:ExitCode", "'{site: Site, code: ExitCode}'"],
  accepts: ["records"],
  produces: () => "records",
  scope: (config, input) => ({ keys: input.keys, names: config.attributes.map(([to]) => to), closed: true }),
  create: (config, ctx) => selectOperator({ attributes: config.attributes.map(([name, from]) => ({ name, ref: ctx.attribute(from) })), order: config.order }),
});
