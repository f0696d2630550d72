/**
 * Config schemas as a person reads them: a zod issue explained in plain words with the field's own
 * description and example (`speed: a number (0: as fast as possible...), e.g. 10`), and the fields
 * of a schema listed for help and docs. Every kind's schema is the one description of its config:
 * parsing, errors, `--help` and `cms-nats docs` all read it.
 */
import * as z from "zod";
import { closest } from "./text.ts";

/** What the docs and errors know of one config field. */
export interface FieldInfo {
  name: string;
  /** In words: "a number", "a duration", "one of values, raw, json", "a list of text"... */
  type: string;
  description?: string;
  /** The default as it would be written in a flag or file (undefined: none). */
  default?: string;
  example?: string;
  required: boolean;
  /** How a command-line flag writes it: a switch, a whole number, a duration, or text (lists as comma-separated text). */
  flag: "boolean" | "number" | "duration" | "text";
  /** The field's own metadata (e.g. `flag`: the command-line flag that sets it). */
  meta: Record<string, unknown>;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  getter?: () => z.ZodType;
  entries?: Record<string, string>;
  values?: unknown[];
  defaultValue?: unknown;
  catchall?: z.ZodType;
}

const def = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schema under wrappers that do not change what is written (optional, default, pipe, lazy...). */
function unwrap(s: z.ZodType): z.ZodType {
  for (;;) {
    const d = def(s);
    if (d.innerType && ["optional", "default", "prefault", "nullable", "readonly", "catch", "nonoptional"].includes(d.type)) s = d.innerType;
    else if (d.type === "pipe" && d.in) s = def(d.in).type === "transform" ? d.out! : d.in;
    else if (d.type === "lazy" && d.getter) s = d.getter();
    else return s;
  }
}

/** Description and example of a field: the outermost wrapper that has them (`.describe()` is often put last). */
function meta(s: z.ZodType): { description?: string; example?: string; format?: string } {
  const out: { description?: string; example?: string; format?: string } = {};
  for (let cur: z.ZodType | undefined = s; cur; ) {
    const m = (cur.meta() ?? {}) as { description?: string; examples?: unknown[]; format?: string };
    out.description ??= m.description ?? cur.description;
    if (out.example === undefined && m.examples?.length) out.example = String(m.examples[0]);
    out.format ??= m.format;
    const d = def(cur);
    cur = d.innerType ?? (d.type === "pipe" ? d.in : undefined);
  }
  return out;
}

/** Every metadata key of a field and its wrappers (the outermost wins). */
function allMeta(s: z.ZodType): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let cur: z.ZodType | undefined = s; cur; ) {
    for (const [k, v] of Object.entries(cur.meta() ?? {})) if (!(k in out)) out[k] = v;
    const d = def(cur);
    cur = d.innerType ?? (d.type === "pipe" ? d.in : undefined);
  }
  return out;
}

/** The default of a field as written in a flag, or undefined. */
function defaultOf(s: z.ZodType): string | undefined {
  for (let cur: z.ZodType | undefined = s; cur; ) {
    const d = def(cur);
    if (d.type === "default" || d.type === "prefault") {
      const v = typeof d.defaultValue === "function" ? (d.defaultValue as () => unknown)() : d.defaultValue;
      return typeof v === "string" ? v : JSON.stringify(v);
    }
    cur = d.innerType;
  }
  return undefined;
}

/** A schema's type in words. */
export function typeInWords(schema: z.ZodType): string {
  const s = unwrap(schema);
  if (meta(schema).format === "duration" || meta(s).format === "duration") return "a duration (500ms, 10s, 1m, 2h, 1d)";
  const d = def(s);
  switch (d.type) {
    case "string":
      return "text";
    case "number":
    case "int":
      return "a number";
    case "boolean":
      return "true or false";
    case "enum":
      return `one of ${Object.values(d.entries ?? {}).join(", ")}`;
    case "literal":
      return (d.values ?? []).map((v) => JSON.stringify(v)).join(" or ");
    case "array":
      return `a list of ${typeInWords(d.element!).replace(/^an? /, "")}`;
    case "record":
      return "a mapping";
    case "object":
      return "a mapping of " + Object.keys(d.shape ?? {}).join(", ");
    case "union": {
      const forms = [...new Set((d.options ?? []).map(typeInWords))];
      return forms.join(", or ");
    }
    case "null":
      return "null";
    default:
      return d.type;
  }
}

/** The fields of an object schema (through wrappers), for help and docs. */
export function fieldsOf(schema: z.ZodType): FieldInfo[] {
  const shape = objectShape(schema);
  if (!shape) return [];
  return Object.entries(shape).map(([name, field]) => {
    const m = meta(field);
    const dflt = defaultOf(field);
    const optional = dflt !== undefined || field.safeParse(undefined).success;
    const inner = def(unwrap(field)).type;
    const flag = m.format === "duration" ? "duration" : inner === "boolean" ? "boolean" : inner === "number" || inner === "int" ? "number" : "text";
    return { name, type: typeInWords(field), description: m.description, default: dflt, example: m.example, required: !optional, flag, meta: allMeta(field) };
  });
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let s = unwrap(schema);
  const d = def(s);
  if (d.type === "pipe" && d.out) s = unwrap(d.out); // a preprocess in front of the object
  const inner = def(s);
  return inner.type === "object" ? inner.shape : undefined;
}

/** The field schema at `path` (object keys, list indexes, mapping values), or undefined. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema;
  for (const key of path) {
    if (!s) return undefined;
    const u = unwrap(s);
    const d = def(u);
    const shape = objectShape(u);
    if (shape) s = shape[String(key)];
    else if (d.type === "array") s = d.element;
    else if (d.type === "record") s = d.valueType;
    else if (d.type === "union") s = d.options?.map((o) => schemaAt(o, [key])).find((x) => x !== undefined);
    else return undefined;
  }
  return s;
}

/** An explained issue: where (a path of field names), what in plain words, and a value that would do. */
export interface Explained {
  path: PropertyKey[];
  message: string;
  example?: string;
}

/**
 * Explains the first issue of a failed parse in plain words, with the field's description and
 * example from the schema: `expected a number (0: as fast as possible...)` and `10`, `is required:
 * a duration...` and `60s`, `unknown field; did you mean every?`.
 */
export function explain(error: z.ZodError, schema: z.ZodType, input: unknown): Explained {
  return explainIssue(error.issues[0], schema, input);
}

/** The value at a path of what was parsed (undefined when absent). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) v = typeof v === "object" && v !== null ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

function explainIssue(issue: z.core.$ZodIssue, schema: z.ZodType, input: unknown): Explained {
  if (issue.code === "invalid_union" && issue.errors.length > 0) return explainUnion(issue, schema, input);
  const path = issue.path;
  const at = schemaAt(schema, path);
  const m = at ? meta(at) : {};
  const about = m.description ? ` (${m.description})` : "";
  const explained = (message: string): Explained => ({ path, message, ...(m.example !== undefined ? { example: m.example } : {}) });
  switch (issue.code) {
    case "invalid_type":
      if (valueAt(input, path) === undefined && path.length > 0) return explained(`is required: ${at ? typeInWords(at) : words(issue.expected)}${about}`);
      return explained(`expected ${at ? typeInWords(at) : words(issue.expected)}${about}`);
    case "unrecognized_keys": {
      const known = Object.keys(objectShape(schemaAt(schema, path) ?? schema) ?? {});
      const key = issue.keys[0];
      const near = closest(key, known);
      return { path: [...path, key], message: `unknown field${near ? `; did you mean ${near}?` : "."}${known.length ? ` Fields: ${known.join(", ")}` : ""}` };
    }
    case "too_small":
      if (issue.origin === "string") return explained(`must not be empty${about}`);
      if (issue.origin === "array" || issue.origin === "set") return explained(`needs at least ${issue.minimum} ${Number(issue.minimum) === 1 ? "entry" : "entries"}${about}`);
      return explained(`must be ${issue.inclusive ? "at least" : "more than"} ${issue.minimum}${about}`);
    case "too_big":
      return explained(`must be ${issue.inclusive ? "at most" : "less than"} ${issue.maximum}${about}`);
    case "invalid_value":
      return explained(`expected one of ${issue.values.map((v) => String(v)).join(", ")}${about}`);
    default:
      return { path, message: issue.message }; // a custom message says what to write itself
  }
}

const WORDS: Record<string, string> = { string: "text", object: "a mapping {..}", array: "a list [..]", boolean: "true or false", number: "a number" };

function words(type: string): string {
  return WORDS[type] ?? type;
}

/**
 * A value that fits no branch of a union: say what went wrong in the branch that got furthest (a
 * mapping with one bad field), or else list every form the value could have taken.
 */
function explainUnion(issue: z.core.$ZodIssueInvalidUnion, schema: z.ZodType, input: unknown): Explained {
  const branches = issue.errors.map((errs) => errs[0]).filter((e): e is z.core.$ZodIssue => e !== undefined);
  const deepest = branches.reduce((a, b) => (b.path.length > a.path.length ? b : a), branches[0]);
  if (deepest.path.length > 0) return explainIssue({ ...deepest, path: [...issue.path, ...deepest.path] } as z.core.$ZodIssue, schema, input);
  if (valueAt(input, issue.path) === undefined && issue.path.length > 0) {
    const at = schemaAt(schema, issue.path);
    const m = at ? meta(at) : {};
    return { path: issue.path, message: `is required: ${at ? typeInWords(at) : "a value"}${m.description ? ` (${m.description})` : ""}`, ...(m.example !== undefined ? { example: m.example } : {}) };
  }
  const custom = branches.find((b) => b.code === "custom");
  if (custom) return { path: issue.path, message: custom.message }; // it says what to write itself
  const at = schemaAt(schema, issue.path);
  const m = at ? meta(at) : {};
  const message = `expected ${at ? typeInWords(at) : "another form"}${m.description ? ` (${m.description})` : ""}`;
  return { path: issue.path, message, ...(m.example !== undefined ? { example: m.example } : {}) };
}
