import { map, type OperatorFunction } from "rxjs";
import { type Message, newAttrs, withAttrs } from "./message.ts";

/**
 * Attributes to keep, in order: a list of names, or a mapping `{newName: attribute}` that keeps and
 * renames.
 */
export type SelectOptions = readonly string[] | Readonly<Record<string, string>>;

/**
 * Keeps only the named attributes, in the given order (renaming them when given a mapping).
 *
 * Emits one message per input message, with `attrs` replaced; attributes a message lacks are left out
 * (the CSV sink still writes their column, empty). Completes with the source.
 *
 * @example
 * parsed$.pipe(select(["site", "exitCode"]))
 * parsed$.pipe(select({ site: "Site", code: "ExitCode" }))
 */
export function select(opts: SelectOptions): OperatorFunction<Message, Message> {
  const pairs: [string, string][] = Array.isArray(opts)
    ? (opts as readonly string[]).map((name) => [name, name])
    : Object.entries(opts as Record<string, string>);
  return map((msg) => {
    const from = msg.attrs;
    const attrs = newAttrs();
    if (from) {
      for (const [to, name] of pairs) {
        const v = from[name];
        if (v !== undefined) attrs[to] = v;
      }
    }
    return withAttrs(msg, attrs);
  });
}

/** The attribute names a select step produces, in order. */
export function selectedNames(opts: SelectOptions): string[] {
  return Array.isArray(opts) ? [...(opts as readonly string[])] : Object.keys(opts);
}
