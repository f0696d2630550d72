/**
 * Attribute names as users write them. A step names attributes (`--select Site,ExitCode`, `--filter
 * 'site: T2_*'`, `by: [site]`, `{site}` in a subject); each name is resolved once, when the pipeline
 * is built, to the attribute it means, so the per-message lookup is one property read:
 *
 * - a name spelled as in the payload (`ExitCode`) or as parse names it (`exitCode`) is the same
 *   attribute (parse camel-cases keys unless `keys: keep`);
 * - after a step that fixes the attributes (`select`, `stats`), a name is one of those, matched the
 *   same way;
 * - `time` (ISO 8601) and `subject` are the message's own, unless the payload has such a key.
 *
 * Each resolved attribute remembers whether any message had it, so a name that matched nothing in a
 * whole run is reported at its end (`exitcode: no message had it; did you mean exitCode?`).
 */
import type { AttrValue, Message } from "../lib/message.ts";
import { attributeName } from "../formats/payload.ts";

/** One attribute a step reads. */
export interface AttributeRef {
  /** The name as the user wrote it: what output columns are called. */
  readonly name: string;
  /** The attribute it resolved to. */
  readonly key: string;
  /** `time` or `subject`: falls back to the message's own time or subject. */
  readonly envelope?: "time" | "subject";
  /** The value of this attribute in a message, or undefined when it has none. */
  get(msg: Message): AttrValue | undefined;
  /** Messages read elsewhere (counted ahead on a thread) were looked at for it, and had it or not. */
  seen(found: boolean): void;
  /** Whether any message so far had it. */
  readonly found: boolean;
  /** Whether any message was looked at for it (a step that never got a message says nothing about its names). */
  readonly used: boolean;
}

/** What attributes the messages at one point of a pipeline have, as far as the spec tells. */
export interface AttributeScope {
  /** How parse named payload keys. */
  keys: "camel" | "keep";
  /** Names earlier steps made (set) or, when `closed`, the only names there are (after select or stats). */
  names: readonly string[];
  closed: boolean;
}

/** Before any parse: payload keys as parse names them by default. */
export const PAYLOAD_SCOPE: AttributeScope = { keys: "camel", names: [], closed: false };

/** Resolves a name in a scope: see the module comment. */
export function resolveAttribute(name: string, scope: AttributeScope): AttributeRef {
  const key = keyIn(name, scope);
  const envelope = key === "time" || key === "subject" ? key : undefined;
  let found = false;
  let used = false;
  const read = (msg: Message): AttrValue | undefined => {
    const v = msg.attrs?.[key];
    if (v !== undefined || envelope === undefined) return v;
    return envelope === "time" ? new Date(msg.time).toISOString() : msg.subject;
  };
  return {
    name,
    key,
    ...(envelope ? { envelope } : {}),
    get(msg) {
      const v = read(msg);
      if (!found) {
        used = true;
        found = v !== undefined;
      }
      return v;
    },
    seen(had) {
      used = true;
      found ||= had;
    },
    get found() {
      return found;
    },
    get used() {
      return used;
    },
  };
}

function keyIn(name: string, scope: AttributeScope): string {
  const normalized = attributeName(name, scope.keys);
  const made = scope.names.find((n) => n === name) ?? scope.names.find((n) => attributeName(n, scope.keys) === normalized);
  if (made !== undefined) return made;
  return scope.closed ? name : normalized;
}
