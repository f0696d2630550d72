import { map, type OperatorFunction } from "rxjs";
import { type Attrs, type Message, newAttrs, withAttrs } from "../lib/message.ts";
import type { AttributeRef } from "./attributes.ts";

/** One attribute to keep: `ref` is read, `name` is what the output calls it. */
export interface Selected {
  name: string;
  ref: AttributeRef;
}

export interface SelectOptions {
  attributes: readonly Selected[];
  /**
   * `given`: in the order given. `payload`: in the payload's own order, each value of a repeated key
   * included, as the Go nats-sub's `-attrs` prints them (its CMS producers sort keys, so scripts
   * index columns by that order).
   * @default "given"
   */
  order?: "given" | "payload";
}

/**
 * Keeps only the named attributes (renamed to their `name`s).
 *
 * Emits one message per input message, with `attrs` replaced; attributes a message lacks are left out
 * (the CSV sink still writes their column, empty). Completes with the source.
 *
 * @example
 * parsed$.pipe(select({ attributes: [{ name: "site", ref: resolveAttribute("Site", scope) }] }))
 */
export function select(opts: SelectOptions): OperatorFunction<Message, Message> {
  const { attributes } = opts;
  if (opts.order !== "payload") {
    return map((msg) => {
      const attrs = newAttrs();
      for (const { name, ref } of attributes) {
        const v = ref.get(msg);
        if (v !== undefined) attrs[name] = v;
      }
      return withAttrs(msg, attrs);
    });
  }
  const byKey = new Map(attributes.filter((a) => !a.ref.envelope).map((a) => [a.ref.key, a]));
  const envelope = attributes.filter((a) => a.ref.envelope);
  // a message that has only selected attributes, under their own names, is its own selection: parse
  // reading only them (nats-sub -attrs) makes such messages, handed on with no copy
  const renames = envelope.length > 0 || attributes.some((a) => a.name !== a.ref.key);
  const selectionOf = (msg: Message): boolean => {
    if (renames || msg.pairs || !msg.attrs) return false;
    for (const key in msg.attrs) if (byKey.get(key)?.ref.get(msg) === undefined) return false;
    return true;
  };
  return map((msg) => {
    if (selectionOf(msg)) return msg;
    const attrs: Attrs = newAttrs();
    const from = msg.attrs ?? {};
    for (const key in from) {
      const a = byKey.get(key);
      if (a) attrs[a.name] = a.ref.get(msg)!;
    }
    for (const a of envelope) attrs[a.name] = a.ref.get(msg)!;
    const out = withAttrs(msg, attrs);
    if (msg.pairs) out.pairs = msg.pairs.filter(([key]) => byKey.has(key)).map(([key, value]) => [byKey.get(key)!.name, value]);
    return out;
  });
}
