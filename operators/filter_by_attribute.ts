import { filter, type OperatorFunction } from "rxjs";
import type { AttrValue, Message } from "../lib/message.ts";
import { MAX_PATTERN_LENGTH, MAX_QUANTIFIERS, RegexError, safeRegex } from "../lib/regex_risk.ts";
import { type AttributeRef, PAYLOAD_SCOPE, resolveAttribute } from "./attributes.ts";

export type Scalar = string | number | boolean;

/** The operator forms of a condition; several keys in one object must all hold. */
export interface ConditionOps {
  eq?: Scalar;
  ne?: Scalar;
  gt?: Scalar;
  gte?: Scalar;
  lt?: Scalar;
  lte?: Scalar;
  in?: readonly Scalar[];
  /** true: the attribute is present; false: it is absent. */
  exists?: boolean;
  glob?: string;
  regex?: string;
  not?: Condition;
}

/**
 * A condition on one attribute. A plain value matches exactly, except that text is read as
 * `!text` (negation), `/re/flags` (regex) or a glob when it holds `*` or `?`; `null` matches an
 * absent or empty attribute.
 */
export type Condition = Scalar | null | ConditionOps;

/** Attribute name → condition; a message passes when every condition holds. */
export type FilterOptions = Readonly<Record<string, Condition>>;

/** A condition that cannot be compiled; `path` leads from the attribute to the bad part. */
export class FilterError extends Error {
  override name = "FilterError";
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
  }
}


type Test = (v: AttrValue | undefined) => boolean;

/**
 * Keeps the messages whose attributes meet every condition, in order; completes with the source.
 * `attribute` resolves each condition's name (attributes.ts); each dropped message is handed to
 * `onDrop` (the pipeline counts them).
 *
 * @example
 * parsed$.pipe(filterByAttribute({ site: "T2_*", exitCode: { gte: 8000 } }, (n) => resolveAttribute(n, scope)))
 */
export function filterByAttribute(opts: FilterOptions, attribute: (name: string) => AttributeRef, onDrop?: (msg: Message) => void): OperatorFunction<Message, Message> {
  const keep = compileFilter(opts, attribute);
  return filter((msg) => {
    if (keep(msg)) return true;
    onDrop?.(msg);
    return false;
  });
}

/**
 * Compiles conditions into one predicate (names resolved by `attribute`, by default as payload
 * keys); throws {@link FilterError} for a condition it cannot use.
 */
export function compileFilter(opts: FilterOptions, attribute: (name: string) => AttributeRef = (name) => resolveAttribute(name, PAYLOAD_SCOPE)): (msg: Message) => boolean {
  const tests = Object.entries(opts).map(([name, cond]) => [attribute(name), compile(cond, [name])] as const);
  return (msg) => {
    for (let i = 0; i < tests.length; i++) if (!tests[i][1](tests[i][0].get(msg))) return false;
    return true;
  };
}

function compile(cond: Condition, path: (string | number)[]): Test {
  if (cond === null) return (v) => v === undefined || v === "";
  if (typeof cond === "object") return compileOps(cond, path);
  if (typeof cond !== "string") return equals(cond);
  if (cond.startsWith("!")) return not(compile(cond.slice(1), path));
  const re = /^\/(.*)\/([a-z]*)$/s.exec(cond);
  if (re) return matches(regex(re[1], re[2], path));
  if (/[*?]/.test(cond)) return matches(glob(cond, path));
  return equals(cond);
}

function compileOps(ops: ConditionOps, path: (string | number)[]): Test {
  const tests: Test[] = [];
  for (const [op, arg] of Object.entries(ops) as [keyof ConditionOps, unknown][]) {
    const at = [...path, op];
    switch (op) {
      case "eq": tests.push(equals(arg as Scalar)); break;
      case "ne": tests.push(not(equals(arg as Scalar))); break;
      case "gt": tests.push(compares(arg as Scalar, (c) => c > 0)); break;
      case "gte": tests.push(compares(arg as Scalar, (c) => c >= 0)); break;
      case "lt": tests.push(compares(arg as Scalar, (c) => c < 0)); break;
      case "lte": tests.push(compares(arg as Scalar, (c) => c <= 0)); break;
      case "in": {
        const any = (arg as Scalar[]).map(equals);
        tests.push((v) => any.some((t) => t(v)));
        break;
      }
      case "exists": tests.push(arg ? (v) => v !== undefined : (v) => v === undefined); break;
      case "glob": tests.push(matches(glob(arg as string, at))); break;
      case "regex": tests.push(matches(regex(arg as string, "", at))); break;
      case "not": tests.push(not(compile(arg as Condition, at))); break;
      default: throw new FilterError(`unknown operator "${op}"; expected one of eq, ne, gt, gte, lt, lte, in, exists, glob, regex, not`, at);
    }
  }
  if (tests.length === 0) throw new FilterError("empty condition", path);
  return tests.length === 1 ? tests[0] : (v) => tests.every((t) => t(v));
}

const NUMERIC = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

function asNumber(v: AttrValue | Scalar): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v !== "string") return undefined;
  // digits only, as exit codes are, need no regular expression (a third of a live filter's time)
  let k = 0;
  while (k < v.length && v.charCodeAt(k) >= 48 && v.charCodeAt(k) <= 57) k++;
  if (k > 0 && k === v.length) return Number(v);
  return NUMERIC.test(v) ? Number(v) : undefined;
}

const ISO_TIME = /^\d{4}-\d\d-\d\d(T|$)/;

/**
 * How a value compares with `arg` (negative, zero, positive): as numbers when both are numeric, as
 * instants when both are ISO 8601 times (`2026-11-21T14:00Z` equals `2026-11-21T14:00:00.000Z`),
 * else as text. What it takes of `arg` is worked out once, not for every message.
 */
function comparer(arg: Scalar): (v: AttrValue) => number {
  const b = asNumber(arg);
  const t = String(arg);
  const tTime = ISO_TIME.test(t) ? Date.parse(t) : undefined;
  return (v) => {
    const a = asNumber(v);
    if (a !== undefined && b !== undefined) return a - b;
    const s = String(v);
    if (tTime !== undefined && ISO_TIME.test(s)) {
      const ms = Date.parse(s) - tTime;
      if (!Number.isNaN(ms)) return ms;
    }
    return s < t ? -1 : s > t ? 1 : 0;
  };
}

/** An absent attribute never compares. */
function equals(arg: Scalar): Test {
  const compare = comparer(arg);
  return (v) => v !== undefined && compare(v) === 0;
}

function compares(arg: Scalar, ok: (c: number) => boolean): Test {
  const compare = comparer(arg);
  return (v) => v !== undefined && ok(compare(v));
}

function not(test: Test): Test {
  return (v) => !test(v);
}

function matches(re: RegExp): Test {
  return (v) => v !== undefined && re.test(String(v));
}

function glob(pattern: string, path: (string | number)[]): RegExp {
  checkLength(pattern, path);
  // each * becomes .*: past a few, an anchored mismatch backtracks polynomially (as regexRisk says)
  const stars = pattern.split("*").length - 1;
  if (stars > MAX_QUANTIFIERS) throw new FilterError(`glob "${pattern}" has ${stars} "*"; at most ${MAX_QUANTIFIERS} are allowed (matching cost grows as n^stars)`, path);
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "s");
}

function regex(source: string, flags: string, path: (string | number)[]): RegExp {
  try {
    return safeRegex(source, flags);
  } catch (err) {
    if (err instanceof RegexError) throw new FilterError(err.message, path);
    throw err;
  }
}

function checkLength(pattern: string, path: (string | number)[]): void {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new FilterError(`pattern longer than ${MAX_PATTERN_LENGTH} characters`, path);
}
