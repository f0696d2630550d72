import * as z from "zod";
import { RegexError, safeRegex } from "../../lib/regex_risk.ts";
import type { Message } from "../../lib/message.ts";
import type { AttributeRef } from "../../operators/attributes.ts";
import { type Derived, setAttributes } from "../../operators/set_attributes.ts";
import { stepKind } from "./step.ts";

const text = z.union([z.string(), z.number()]).transform(String);

const regexFrom = z
  .strictObject({ from: z.string().min(1).describe("the attribute read"), regex: z.string().min(1).describe("its first capture group (or the whole match) is the value; no match: empty") })
  .superRefine((d, ctx) => {
    try {
      safeRegex(d.regex);
    } catch (err) {
      if (!(err instanceof RegexError)) throw err;
      ctx.addIssue({ code: "custom", message: err.message, path: ["regex"] });
    }
  });
const mapFrom = z.strictObject({
  from: z.string().min(1).describe("the attribute read"),
  map: z.record(z.string(), text).describe("value → new value"),
  default: text.optional().describe("for a value not in the map (or no value); default: the value itself"),
});

/** `NAME: "{site}/{exitCode}"` (a template), `NAME: {from, regex}` or `NAME: {from, map, default}`. */
export const setConfig = z
  .record(z.string().min(1), z.union([z.string().describe("a template: {name} is the attribute's value"), regexFrom, mapFrom]))
  .refine((c) => Object.keys(c).length > 0, "no attribute to set; write e.g. 'tier: {from: site, regex: \"^(T[0-3])_\"}'");
export type SetConfig = z.infer<typeof setConfig>;

/** A template's parts: text, and the attributes of its `{name}`s. */
function template(text: string, attribute: (name: string) => AttributeRef): (msg: Message) => string {
  const parts = text.split(/\{([^{}]+)\}/).map((p, i) => (i % 2 === 1 ? attribute(p) : p));
  return (msg) => {
    let out = "";
    for (const p of parts) out += typeof p === "string" ? p : String(p.get(msg) ?? "");
    return out;
  };
}

function derive(name: string, spec: SetConfig[string], attribute: (name: string) => AttributeRef): Derived {
  if (typeof spec === "string") return { name, value: template(spec, attribute) };
  const from = attribute(spec.from);
  if ("regex" in spec) {
    const re = safeRegex(spec.regex);
    return { name, value: (msg) => { const m = re.exec(String(from.get(msg) ?? "")); return m ? (m[1] ?? m[0]) : ""; } };
  }
  const table = new Map(Object.entries(spec.map));
  return { name, value: (msg) => { const v = String(from.get(msg) ?? ""); return table.get(v) ?? spec.default ?? v; } };
}

export const kind = stepKind({
  name: "set",
  description: "add attributes made from others: a template, a regex's capture group, or a mapping of values",
  config: setConfig,
  examples: [
    "'tier: {from: site, regex: \"^(T[0-3])_\"}'",
    "'country: {from: site, regex: \"^T[0-3]_([A-Z]{2})_\"}'",
    "'status: {from: exitCode, map: {\"0\": ok}, default: failed}'",
    "'where: \"{site}/{exitCode}\"'",
  ],
  accepts: ["records"],
  produces: () => "records",
  scope: (config, input) => ({ ...input, names: [...input.names, ...Object.keys(config).filter((n) => !input.names.includes(n))] }),
  create: (config, ctx) => setAttributes(Object.entries(config).map(([name, spec]) => derive(name, spec, ctx.attribute))),
});
