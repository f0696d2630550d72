/** NATS subject rules: what a subscriber may listen on, and subject tokens built from message content. */

/** Characters that end or widen a subject token: the separator, both wildcards and white space. */
const NOT_IN_TOKEN = /[.*>\s]/g;

/**
 * Says what is wrong with a subject, or undefined when it is valid: non-empty tokens without white
 * space; with `wildcards`, `*` as a whole token and `>` as the whole last token.
 */
export function subjectProblem(subject: string, wildcards: boolean): string | undefined {
  if (subject === "") return "empty subject";
  if (/\s/.test(subject)) return "white space in the subject";
  const tokens = subject.split(".");
  for (const [i, t] of tokens.entries()) {
    if (t === "") return "empty token (a leading, trailing or doubled '.')";
    const wild = t.includes("*") || t.includes(">");
    if (!wild) continue;
    if (!wildcards) return "wildcards (* >) cannot be published to";
    if (t === "*" || (t === ">" && i === tokens.length - 1)) continue;
    return "'*' must be a whole token and '>' the whole last token";
  }
  return undefined;
}

/**
 * Longest token made from a value. The server closes a connection whose protocol line passes 4 KiB
 * (max_control_line), so one huge attribute value would otherwise cut the republisher off.
 */
export const MAX_TOKEN = 128;

/**
 * Makes any text one safe subject token: `.`, `*`, `>` and white space become `_`, so message
 * content can never add tokens or wildcards; an empty value becomes `_`; a value longer than
 * {@link MAX_TOKEN} keeps its start and ends in `~` and a hash of the whole, so long values that
 * differ still differ.
 */
export function subjectToken(value: string): string {
  if (value === "") return "_";
  const token = value.replace(NOT_IN_TOKEN, "_");
  return token.length <= MAX_TOKEN ? token : `${token.slice(0, MAX_TOKEN - 9)}~${fnv1a(value)}`;
}

/** 32-bit FNV-1a of a string's UTF-16 units, as 8 hex digits. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/**
 * Compiles a subject template such as `cms.analysis.{site}`: each `{name}` becomes the value `value`
 * reads for that name, as one safe token ({@link subjectToken}; `_` when absent). Throws when the
 * template itself is not a subject one can publish to.
 */
export function subjectTemplate<M>(template: string, value: (name: string) => (msg: M) => unknown): (msg: M) => string {
  const parts = template.split(/\{([^{}]*)\}/);
  const problem = subjectProblem(parts.map((p, i) => (i % 2 === 1 ? "x" : p)).join(""), false);
  if (problem) throw new Error(`${problem} in the subject template "${template}"`);
  if (parts.length === 1) return () => template;
  const getters = parts.map((p, i) => (i % 2 === 1 ? value(p) : undefined));
  return (msg) => {
    let out = parts[0];
    for (let i = 1; i < parts.length; i += 2) out += subjectToken(String(getters[i]!(msg) ?? "")) + parts[i + 1];
    return out;
  };
}
