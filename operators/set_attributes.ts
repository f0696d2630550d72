import { map, type OperatorFunction } from "rxjs";
import { type AttrValue, type Message, newAttrs, withAttrs } from "../lib/message.ts";

/** One attribute to add (or replace): its name, and how to make its value from a message. */
export interface Derived {
  name: string;
  value(msg: Message): AttrValue;
}

/**
 * Adds derived attributes to every message (a tier from the site, a status from the exit code...),
 * each made from the message as it arrived; an existing attribute of that name is replaced. Emits one
 * message per input message, in order; completes with the source.
 *
 * @example
 * parsed$.pipe(setAttributes([{ name: "tier", value: (m) => /^(T[0-3])_/.exec(String(site.get(m)))?.[1] ?? "" }]))
 */
export function setAttributes(derived: readonly Derived[]): OperatorFunction<Message, Message> {
  return map((msg) => {
    const attrs = newAttrs();
    const from = msg.attrs;
    for (const key in from) attrs[key] = from[key];
    for (const d of derived) attrs[d.name] = d.value(msg);
    return withAttrs(msg, attrs);
  });
}
