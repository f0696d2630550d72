/**
 * Documentation of every kind, generated from its own description and schema (lib/kind.ts,
 * lib/config.ts): what `cms-nats docs` prints. Nothing here is written by hand per kind.
 */
import type * as z from "zod";
import { fieldsOf } from "../lib/config.ts";
import type { Kind } from "../lib/kind.ts";
import { sinks, sources, steps } from "./registry.ts";

const ROLES = [
  { role: "source", flag: "--from", kinds: sources as Record<string, Kind<unknown>> },
  { role: "step", flag: "--", kinds: steps as Record<string, Kind<unknown>> },
  { role: "sink", flag: "--to", kinds: sinks as Record<string, Kind<unknown>> },
] as const;

/** Every source, step and sink with what it does. */
export function kindList(): string {
  return ROLES.map(({ role, kinds }) => `${role}s:\n${Object.values(kinds).map((k) => `  ${k.name.padEnd(16)} ${k.description}`).join("\n")}\n`).join("\n");
}

/** The kinds of that name (a source and a sink may share one, e.g. nats) with every field; undefined when there is none. */
export function kindDocs(name: string): string | undefined {
  const found = ROLES.filter(({ kinds }) => Object.hasOwn(kinds, name));
  if (found.length === 0) return undefined;
  return found.map(({ role, flag, kinds }) => describe(role, flag === "--" ? `--${name}` : flag, kinds[name])).join("\n");
}

function describe(role: string, flag: string, kind: Kind<unknown>): string {
  const fields = fieldsOf(kind.config as z.ZodType);
  const lines = [`${kind.name} (${role}): ${kind.description}`, ""];
  if (fields.length > 0) {
    lines.push("fields:");
    for (const f of fields) {
      const dflt = f.default !== undefined ? `default ${f.default}` : f.required ? "required" : "optional";
      lines.push(`  ${f.name}: ${f.type}; ${dflt}`);
      if (f.description) lines.push(`      ${f.description}`);
      if (f.example !== undefined) lines.push(`      e.g. ${f.name}: ${f.example}`);
    }
    lines.push("");
  }
  if (kind.shorthand) lines.push(`${kind.name}:TEXT sets ${kind.shorthand}.`);
  lines.push("examples:", ...kind.examples.map((e) => `  ${flag} ${e}`), "");
  return lines.join("\n");
}
