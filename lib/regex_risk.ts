/**
 * A structural check of filter regexes: V8's backtracking engine can take exponential time on a
 * pattern such as `(a+)+`, `(a|a)*` or `(a?){25}a{25}`, and polynomial time on many open repeats in a
 * row (`.*.*.*.*.*.*=`), and on a live stream that stalls everything. Rather than time patterns, this
 * refuses the shapes that backtrack badly; what it lets through matches a 30-character value in a few
 * milliseconds at worst (test/unit/fuzz_spec.test.ts searches for counter-examples).
 */

/** Longer patterns are refused: matching cost must stay bounded on the per-message path. */
export const MAX_PATTERN_LENGTH = 256;

/** A pattern that cannot be used on a stream: invalid, too long, a stateful flag, or one that backtracks badly. */
export class RegexError extends Error {
  override name = "RegexError";
}

/** Compiles a regex for use on every message: refused (RegexError, saying why) when it could stall the stream. */
export function safeRegex(source: string, flags = ""): RegExp {
  if (source.length > MAX_PATTERN_LENGTH) throw new RegexError(`pattern longer than ${MAX_PATTERN_LENGTH} characters`);
  const bad = [...flags].find((f) => !REGEX_FLAGS.includes(f));
  if (bad) throw new RegexError(`regex /${source}/${flags}: flag "${bad}" is not allowed (${"gy".includes(bad) ? "it makes a match depend on the previous message" : "not supported here"}); use ${[...REGEX_FLAGS].join(", ")}`);
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (err) {
    throw new RegexError(`invalid regex /${source}/${flags}: ${(err as Error).message}`);
  }
  const risk = regexRisk(source);
  if (risk) throw new RegexError(`regex /${source}/ ${risk}`);
  return re;
}

/** At most this many quantifiers that are not an exact count (`*`, `+`, `?`, `{n,m}`): cost grows as n^count. */
export const MAX_QUANTIFIERS = 4;

/** Flags a filter regex may carry: `g` and `y` would make `test` remember where it stopped between messages. */
export const REGEX_FLAGS = "imsu";

interface Quantifier {
  length: number;
  /** Matches its atom more than once (`*`, `+`, `{2}`, `{1,3}`), so a choice inside multiplies. */
  repeats: boolean;
  /** Anything but an exact count `{n}`. */
  varies: boolean;
}

/**
 * Why matching with `source` could take exponential or steep polynomial time, or undefined when it
 * cannot. Call it on a pattern `new RegExp` accepted (it does not look for syntax errors).
 */
export function regexRisk(source: string): string | undefined {
  // per open group: whether it holds a choice (|, a varying quantifier, a back-reference)
  const groups: boolean[] = [false];
  let afterGroup: boolean | undefined; // set right after ")": whether that group held a choice
  let varying = 0;
  for (let i = 0; i < source.length; ) {
    const c = source[i];
    const q = quantifierAt(source, i);
    if (q) {
      if (afterGroup && q.repeats) {
        return "repeats a group that itself holds a choice (|, a quantifier or a back-reference), which can take exponential time; rewrite it without the outer repeat or with a character class";
      }
      if (q.varies) {
        groups[groups.length - 1] = true;
        if (++varying > MAX_QUANTIFIERS) return `has more than ${MAX_QUANTIFIERS} quantifiers (*, +, ?, {n,m}), which can take polynomial time; anchor it or use fewer`;
      }
      afterGroup = undefined;
      i += q.length;
      continue;
    }
    afterGroup = undefined;
    if (c === "\\") {
      const n = source[i + 1];
      if ((n >= "1" && n <= "9") || n === "k") groups[groups.length - 1] = true;
      const brace = "pPuk".includes(n) && (source[i + 2] === "{" || source[i + 2] === "<");
      i = brace ? skipPast(source, i + 3, source[i + 2] === "{" ? "}" : ">") : i + 2;
    } else if (c === "[") {
      let j = i + 1;
      while (j < source.length && source[j] !== "]") j += source[j] === "\\" ? 2 : 1;
      i = j + 1;
    } else if (c === "(") {
      groups.push(false);
      i = source[i + 1] === "?" ? skipPast(source, i + 2, ":=!>") : i + 1;
    } else if (c === ")") {
      afterGroup = groups.length > 1 ? groups.pop()! : false;
      if (afterGroup) groups[groups.length - 1] = true;
      i++;
    } else {
      if (c === "|") groups[groups.length - 1] = true;
      i++;
    }
  }
  return undefined;
}

const BRACES = /\{(\d+)(?:(,)(\d*))?\}/y;

function quantifierAt(source: string, i: number): Quantifier | undefined {
  const c = source[i];
  let q: Quantifier | undefined;
  if (c === "*" || c === "+") q = { length: 1, repeats: true, varies: true };
  else if (c === "?") q = { length: 1, repeats: false, varies: true };
  else if (c === "{") {
    BRACES.lastIndex = i;
    const m = BRACES.exec(source);
    if (!m) return undefined;
    const max = m[2] ? (m[3] ? Number(m[3]) : Infinity) : Number(m[1]);
    q = { length: m[0].length, repeats: max > 1, varies: max !== Number(m[1]) };
  }
  if (q && source[i + q.length] === "?") q.length++; // lazy: same cost
  return q;
}

/** The index after the first of `ends` at or after `from`. */
function skipPast(source: string, from: number, ends: string): number {
  let j = from;
  while (j < source.length && !ends.includes(source[j])) j++;
  return j + 1;
}
