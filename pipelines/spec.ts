/**
 * The pipeline spec: where messages come from, the steps in order, where they go. Flags and pipeline
 * files are read into the same spec, through the same schemas (registry.ts, steps.ts), so a value
 * means the same thing and fails the same way in both.
 */
import { readFileSync } from "node:fs";
import YAML from "yaml";
import type { z } from "zod";
import type { ComponentOf, Kind } from "./kind.ts";
import { redact, SECRET_KEYS } from "./redact.ts";
import { sinks, sources } from "./registry.ts";
import { steps } from "./steps.ts";

export type SourceSpec = ComponentOf<typeof sources>;
export type StepSpec = ComponentOf<typeof steps>;
export type SinkSpec = ComponentOf<typeof sinks>;
export type StepKind = keyof typeof steps;

export interface PipelineSpec {
  from: SourceSpec;
  steps: StepSpec[];
  to: SinkSpec[];
  /** Recorded-format file that receives every message that failed to parse. */
  deadLetter?: string;
}

/** A flag or pipeline file that does not say something valid: names where, what, and what would do. */
export class SpecError extends Error {
  override name = "SpecError";
  constructor(
    readonly where: string,
    problem: string,
    readonly hint?: string,
  ) {
    super(`${where}: ${problem}${hint ? `\n  ${hint}` : ""}`);
  }
}

/** Reads a flag's value as YAML flow syntax. */
export function flagValue(flag: string, text: string): unknown {
  const doc = YAML.parseDocument(text, { uniqueKeys: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const tagHint = /tag/i.test(problem.message) ? ' (quote values that start with "!", e.g. \'site: "!T2_CH_CERN"\')' : "";
    throw new SpecError(`${flag} ${quote(text)}`, `not valid YAML flow syntax: ${redact(problem.message.split("\n")[0])}${tagHint}`);
  }
  return toJS(doc, `${flag} ${quote(text)}`);
}

/** The document's value; an alias bomb (`[*a, *a, ...]` nested) is refused by the yaml package with a ReferenceError. */
function toJS(doc: YAML.Document, where: string): unknown {
  try {
    return doc.toJS();
  } catch (err) {
    throw new SpecError(where, `cannot be read: ${(err as Error).message}`);
  }
}

/** One step flag (`--filter VALUE`) as a step of the spec. */
export function stepFromFlag(kind: StepKind, text: string): StepSpec {
  return component(steps, "step", { [kind]: flagValue(`--${kind}`, text) }, `--${kind} ${quote(text)}`, `--${kind}`);
}

/** A source given as a value (a command's arguments rather than a flag). */
export function sourceSpec(raw: unknown, where: string): SourceSpec {
  return component(sources, "source", raw, where);
}

export function sourceFromFlag(text: string): SourceSpec {
  return component(sources, "source", flagValue("--from", text), `--from ${quote(text)}`, "--from");
}

export function sinkFromFlag(text: string): SinkSpec {
  return component(sinks, "sink", flagValue("--to", text), `--to ${quote(text)}`, "--to");
}

/** Reads a pipeline file: `from:`, `steps:` (a list), `to:` (one or a list), `dead_letter:`. */
export function pipelineFromFile(path: string): PipelineSpec {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new SpecError(path, `cannot read the pipeline file: ${(err as Error).message}`);
  }
  const doc = YAML.parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new SpecError(path, `not valid YAML: ${doc.errors[0].message}`);
  const raw: unknown = toJS(doc, path);
  if (!isMapping(raw)) throw new SpecError(path, "expected a mapping with from:, steps: and to:");
  const unknown = Object.keys(raw).filter((k) => !["from", "steps", "to", "dead_letter"].includes(k));
  if (unknown.length > 0) throw new SpecError(`${path}: ${unknown[0]}`, "unknown key; expected from, steps, to, dead_letter");
  if (raw.from === undefined) throw new SpecError(path, "from: is missing", `e.g. from: ${sources.replay.examples[0]}`);
  const stepList = raw.steps ?? [];
  if (!Array.isArray(stepList)) throw new SpecError(`${path}: steps`, "expected a list of steps", "e.g. steps: [{filter: {site: T2_*}}, {select: [site]}]");
  const toList = raw.to === undefined ? [] : Array.isArray(raw.to) ? raw.to : [raw.to];
  if (raw.dead_letter !== undefined && typeof raw.dead_letter !== "string") throw new SpecError(`${path}: dead_letter`, "expected a file path");
  return {
    from: component(sources, "source", raw.from, `${path}: from`),
    steps: stepList.map((s, i) => component(steps, "step", s, `${path}: steps[${i}]`)),
    to: toList.map((s, i) => component(sinks, "sink", s, `${path}: to[${i}]`)),
    deadLetter: raw.dead_letter as string | undefined,
  };
}

/**
 * Fills what a user leaves out (payloads are parsed, auto, unless a step says how; output goes to
 * the console) and checks what only the whole pipeline can tell, such as a sink that needs stats.
 */
export function withDefaults(spec: PipelineSpec): PipelineSpec {
  const hasStats = spec.steps.some((s) => s.kind === "stats");
  const statsOnly = spec.to.find((s) => (sinks[s.kind] as { needsStats?: boolean }).needsStats);
  if (statsOnly && !hasStats) {
    throw new SpecError(`--to ${statsOnly.kind}`, `a ${statsOnly.kind} sink takes stats rows; add a stats step`, "e.g. --stats '{every: 60s, by: [site]}'");
  }
  const hasParse = spec.steps.some((s) => s.kind === "parse");
  return {
    ...spec,
    steps: hasParse ? spec.steps : [component(steps, "step", "parse", "default parse"), ...spec.steps],
    to: spec.to.length > 0 ? spec.to : [component(sinks, "sink", "console", "default sink")],
  };
}

/**
 * Reads one component: `kind`, `kind:text` (text fills the kind's shorthand field), or a mapping
 * `{kind: config}`; then checks the config against the kind's schema. `flag` names how to write the
 * examples in the error hint.
 */
function component<R extends Record<string, Kind<unknown, never, unknown>>>(
  registry: R,
  what: string,
  raw: unknown,
  where: string,
  flag = "",
): ComponentOf<R> {
  let name: string;
  let value: unknown;
  if (typeof raw === "string") {
    const colon = raw.indexOf(":");
    name = colon < 0 ? raw : raw.slice(0, colon);
    value = colon < 0 ? undefined : raw.slice(colon + 1);
  } else if (isMapping(raw) && Object.keys(raw).length === 1) {
    name = Object.keys(raw)[0];
    value = raw[name];
  } else {
    throw new SpecError(where, `expected a ${what}: "kind", "kind:value" or {kind: config}`, `kinds: ${Object.keys(registry).join(", ")}`);
  }
  const kind = Object.hasOwn(registry, name) ? registry[name] : undefined;
  if (!kind) {
    const near = closest(name, Object.keys(registry));
    throw new SpecError(where, `unknown ${what} "${name}"${near ? `; did you mean "${near}"?` : ""}`, `expected one of: ${Object.keys(registry).join(", ")}`);
  }
  // z.record assigns keys, and assigning "__proto__" sets the prototype: the entry would vanish unseen
  if (isMapping(value) && Object.hasOwn(value, "__proto__")) throw new SpecError(where, '"__proto__" cannot be used as a name here');
  if (value === undefined || value === null) value = {};
  else if (typeof value === "string" && kind.shorthand) value = { [kind.shorthand]: value };
  const result = (kind.config as z.ZodType).safeParse(value);
  if (!result.success) {
    const issue = explain(result.error.issues[0]);
    const path = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    const examples = kind.examples.map((e) => (flag ? `${flag} ${e}` : e)).join("   ");
    throw new SpecError(where, `${path}${issue.message}${badValue(value, issue.path)}`, `expected e.g.: ${examples}`);
  }
  return { kind: name, config: result.data } as ComponentOf<R>;
}

interface Explained {
  path: PropertyKey[];
  message: string;
}

/**
 * Zod reports a value that fits no branch of a union as a bare "Invalid input". Say what went
 * wrong in the branch that got furthest (a mapping with one bad field), or else list every form
 * the value could have taken.
 */
function explain(issue: z.core.$ZodIssue): Explained {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return { path: issue.path, message: issue.message };
  const furthest = issue.errors.map((errs) => explain(errs[0])).reduce((a, b) => (b.path.length > a.path.length ? b : a));
  if (furthest.path.length > 0) return { path: [...issue.path, ...furthest.path], message: furthest.message };
  const expected = [...new Set(forms(issue))].map((f) => FORM_NAMES[f] ?? f);
  return { path: issue.path, message: expected.length > 0 ? `expected ${expected.join(", or ")}` : issue.message };
}

const FORM_NAMES: Record<string, string> = { string: "text", object: "a mapping {..}", array: "a list [..]", boolean: "true/false", number: "a number" };

/** The types a union would have taken, through nested unions. */
function forms(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "invalid_type") return [issue.expected];
  if (issue.code === "invalid_union") return issue.errors.flatMap((errs) => (errs[0] ? forms(errs[0]) : []));
  return [];
}

/** The offending value, for the error; never a secret (a pass/token/creds value, URL user-info). */
function badValue(value: unknown, path: PropertyKey[]): string {
  let v = value;
  for (const key of path) v = isMapping(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  if (v === undefined || isMapping(v)) return "";
  return path.some((k) => typeof k === "string" && SECRET_KEYS.has(k)) ? " (got ***)" : ` (got ${redact(JSON.stringify(v))})`;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A flag value as errors show it: secrets hidden, quoted unless plain, cut to 100 characters. */
function quote(text: string): string {
  const safe = redact(text);
  const shown = safe.length > 100 ? `${safe.slice(0, 99)}…` : safe;
  return /^[\w.:/-]+$/.test(shown) ? shown : `'${shown}'`;
}

/** The name within edit distance 2 of `name`, if any: most typos are one or two keys off. */
function closest(name: string, names: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of names) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
