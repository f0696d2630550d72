/**
 * The pipeline spec: where messages come from, the steps in order, where they go. Flags, pipeline
 * files and the commands' typed builders all make the same spec, through the same schemas (each
 * kind's own), so a value means the same thing and fails the same way everywhere. Every component
 * remembers where it was written (`--filter '...'`, `file.yaml: steps[2]`), for the errors of the
 * whole-pipeline check (check.ts).
 */
import { readFileSync } from "node:fs";
import YAML from "yaml";
import type * as z from "zod";
import { explain } from "../lib/config.ts";
import type { ComponentOf, Kind } from "../lib/kind.ts";
import { redact, SECRET_KEYS } from "../lib/redact.ts";
import { closest } from "../lib/text.ts";
import { sinks, sources, steps } from "./registry.ts";

type Located<C> = C & { where: string };
export type SourceSpec = Located<ComponentOf<typeof sources>>;
export type StepSpec = Located<ComponentOf<typeof steps>>;
/**
 * A sink, with the steps of its own branch when it has any (`{pushgateway: {...}, steps: [{stats:
 * 10s}]}`): only its messages go through them, after the pipeline's steps. A console can then show
 * every message while a Pushgateway gets window counts of the same stream.
 */
export type SinkSpec = Located<ComponentOf<typeof sinks>> & { steps?: StepSpec[] };
export type StepName = keyof typeof steps;

export interface PipelineSpec {
  from: SourceSpec;
  steps: StepSpec[];
  to: SinkSpec[];
  /** Recorded-format file that receives every message that failed to parse. */
  deadLetter?: { path: string; overwrite: boolean };
  /** What the pipeline is called in charts and docs: its source and steps as written. */
  title?: string;
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

/**
 * The document's value; an alias bomb (`[*a, *a, ...]` nested) is refused by the yaml package with a
 * ReferenceError. A key written without the space after its colon is refused too: YAML reads
 * `{every:60s}` as the key `every:60s` with no value, so a setting would be lost (`every is
 * required`) or a filter would match nothing, silently.
 */
function toJS(doc: YAML.Document, where: string): unknown {
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    throw new SpecError(where, `cannot be read: ${(err as Error).message}`);
  }
  const joined = joinedKey(value);
  if (joined !== undefined) throw new SpecError(where, `"${joined}" is read as one key with no value: YAML needs a space after the colon`, `write ${joined.replace(":", ": ")}`);
  return value;
}

/** The first key of the form `name:value` with no value, anywhere in `value`. */
function joinedKey(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  for (const [key, v] of Object.entries(value)) {
    if (v === null && /^[^\s:]+:\S/.test(key)) return key;
    const inner = joinedKey(v);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** One step flag (`--filter VALUE`) as a step of the spec. */
export function stepFromFlag(kind: StepName, text: string): StepSpec {
  return component(steps, "step", { [kind]: flagValue(`--${kind}`, text) }, `--${kind} ${quote(text)}`, `--${kind}`);
}

export function sourceFromFlag(text: string): SourceSpec {
  return component(sources, "source", flagValue("--from", text), `--from ${quote(text)}`, "--from");
}

export function sinkFromFlag(text: string): SinkSpec {
  return sinkComponent(flagValue("--to", text), `--to ${quote(text)}`, "--to");
}

/** A sink, `{kind: config}` or `{kind: config, steps: [...]}` (a branch of its own). */
function sinkComponent(raw: unknown, where: string, flag = ""): SinkSpec {
  if (!isMapping(raw) || !Object.hasOwn(raw, "steps") || Object.keys(raw).length !== 2) return component(sinks, "sink", raw, where, flag);
  const { steps: own, ...rest } = raw;
  if (!Array.isArray(own)) throw new SpecError(`${where}: steps`, "expected a list of steps", "e.g. steps: [{stats: {every: 10s}}]");
  return { ...component(sinks, "sink", rest, where, flag), steps: own.map((s, i) => component(steps, "step", s, `${where}: steps[${i}]`)) };
}

/**
 * Components a command builds from its own flags (typed values, never through text). `flagOf` maps a
 * config field to the flag as the user typed it, so an error names that flag and its value in plain
 * words (`-o '': must not be empty (file to write...), e.g. -o rec.jsonl`); `where` names the
 * component in whole-pipeline errors.
 */
export function sourceOf<N extends keyof typeof sources>(kind: N, config: unknown, where: string, flagOf: Record<string, string> = {}): SourceSpec {
  return typed(sources, kind, config, where, flagOf);
}
export function stepOf<N extends StepName>(kind: N, config: unknown, where: string, flagOf: Record<string, string> = {}): StepSpec {
  return typed(steps, kind, config, where, flagOf);
}
export function sinkOf<N extends keyof typeof sinks>(kind: N, config: unknown, where: string, flagOf: Record<string, string> = {}): SinkSpec {
  return typed(sinks, kind, config, where, flagOf);
}

function typed<R extends Record<string, Kind<unknown>>>(registry: R, name: string, config: unknown, where: string, flagOf: Record<string, string>): Located<ComponentOf<R>> {
  return { kind: name, config: fromFlags(registry[name].config, config, flagOf, where), where } as Located<ComponentOf<R>>;
}

/**
 * Checks a config a command made from its flags against `schema`; an error names the flag that gave
 * the bad field (`flagOf[field]`; `flagOf[""]` the flag that gave the whole value) and its value.
 */
export function fromFlags<T>(schema: z.ZodType<T>, config: unknown, flagOf: Record<string, string>, where: string): T {
  const result = schema.safeParse(config);
  if (result.success) return result.data;
  const issue = explain(result.error, schema, config);
  const field = String(issue.path[0] ?? "");
  const flag = flagOf[field] ?? flagOf[""];
  if (!flag) throw new SpecError(where, `${field ? `${issue.path.join(".")}: ` : ""}${issue.message}`);
  const given = field && isMapping(config) ? config[field] : config;
  const shown = given === undefined ? "" : ` ${quote(Array.isArray(given) ? given.join(",") : String(given))}`;
  throw new SpecError(`${flag}${shown}`, `${issue.message}${issue.example !== undefined ? `, e.g. ${flag} ${issue.example}` : ""}`);
}

const FILE_KEYS = ["from", "steps", "to", "dead_letter", "tests"];

/** The raw mapping of a pipeline file (its `tests:` are read by the test command). */
export function readPipelineFile(path: string): Record<string, unknown> {
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
  const unknown = Object.keys(raw).filter((k) => !FILE_KEYS.includes(k));
  if (unknown.length > 0) throw new SpecError(`${path}: ${unknown[0]}`, `unknown key; expected ${FILE_KEYS.join(", ")}`);
  return raw;
}

/** Reads a pipeline file: `from:`, `steps:` (a list), `to:` (one or a list), `dead_letter:`. */
export function pipelineFromFile(path: string): PipelineSpec {
  const raw = readPipelineFile(path);
  if (raw.from === undefined) throw new SpecError(path, "from: is missing", `e.g. from: ${sources.replay.examples[0]}`);
  const stepList = raw.steps ?? [];
  if (!Array.isArray(stepList)) throw new SpecError(`${path}: steps`, "expected a list of steps", "e.g. steps: [{filter: {site: T2_*}}, {select: [site]}]");
  const toList = raw.to === undefined ? [] : Array.isArray(raw.to) ? raw.to : [raw.to];
  if (raw.dead_letter !== undefined && typeof raw.dead_letter !== "string") throw new SpecError(`${path}: dead_letter`, "expected a file path");
  return {
    from: component(sources, "source", raw.from, `${path}: from`),
    steps: stepList.map((s, i) => component(steps, "step", s, `${path}: steps[${i}]`)),
    to: toList.map((s, i) => sinkComponent(s, `${path}: to[${i}]`)),
    ...(raw.dead_letter !== undefined ? { deadLetter: { path: raw.dead_letter as string, overwrite: false } } : {}),
  };
}

/**
 * Reads one component: `kind`, `kind:text` (text fills the kind's shorthand field), or a mapping
 * `{kind: config}`; then checks the config against the kind's schema. `flag` names how to write the
 * examples in the error hint.
 */
function component<R extends Record<string, Kind<unknown>>>(registry: R, what: string, raw: unknown, where: string, flag = ""): Located<ComponentOf<R>> {
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
    const issue = explain(result.error, kind.config as z.ZodType, value);
    const field = issue.path.join(".");
    const text = !field ? issue.message : /^(is|must|needs) /.test(issue.message) ? `${field} ${issue.message}` : `${field}: ${issue.message}`;
    const eg = issue.example !== undefined && field ? `, e.g. ${field}: ${issue.example}` : "";
    const examples = kind.examples.map((e) => (flag ? `${flag} ${e}` : e)).join("   ");
    throw new SpecError(where, `${text}${eg}${badValue(value, issue.path)}`, `expected e.g.: ${examples}`);
  }
  return { kind: name, config: result.data, where } as Located<ComponentOf<R>>;
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
export function quote(text: string): string {
  const safe = redact(text);
  const shown = safe.length > 100 ? `${safe.slice(0, 99)}…` : safe;
  return /^[\w.:/-]+$/.test(shown) ? shown : `'${shown}'`;
}
