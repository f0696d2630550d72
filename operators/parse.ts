import { Observable, type OperatorFunction } from "rxjs";
import { type DecodeOptions, PayloadError, payloadDecoder } from "../formats/payload.ts";
import { type Message, newAttrs, withAttrs } from "../lib/message.ts";
import { operate } from "./operate.ts";

export interface ParseOptions extends DecodeOptions {
  /** Collects the attribute names of the first {@link KEYS_SAMPLE} messages, for "did you mean" hints. */
  keysSeen?: Set<string>;
  /** `keep`: a payload that cannot be read still goes on, with no attributes (after `onError`). @default "drop" */
  malformed?: "drop" | "keep";
  /**
   * The only attributes read downstream, when known (asked at subscription): the others are not
   * kept (the payload is still checked whole; the messages whose names `keysSeen` collects are read whole).
   */
  only?: () => ReadonlySet<string> | undefined;
}

/** How many messages' keys `keysSeen` collects: enough to know a stream's names, nothing per message after. */
export const KEYS_SAMPLE = 1000;

/** A message whose payload could not be read, and why. */
export interface ParseFailure {
  message: Message;
  reason: string;
}

/**
 * Reads each message's payload into `attrs` (see formats/payload.ts for the formats).
 *
 * Emits every message that parses, in order, with `attrs` set (and `pairs` when a key repeats);
 * completes when the source completes. A payload that is not valid in its format goes to `onError`
 * and is not emitted (with `malformed: keep`, it is, with no attributes); the stream goes on, so one
 * bad producer never stops a pipeline. Any other exception goes to the subscriber's error. A message
 * whose payload the source read ahead (`decoded`) is taken as it was read, with the same outcome; one
 * that stands for a run of messages (`tally`) stands for them here too.
 *
 * @example
 * replay$.pipe(parse({ format: "auto" }, (f) => report.parseFailure(f)))
 */
export function parse(opts: ParseOptions, onError: (failure: ParseFailure) => void): OperatorFunction<Message, Message> {
  return (source) =>
    new Observable<Message>((subscriber) => {
      const decoder = payloadDecoder(opts);
      const only = opts.only?.();
      let sampled = 0;
      return operate(subscriber, source, (msg) => {
        const ahead = msg.decoded;
        if (ahead !== undefined && !("error" in ahead)) {
          // read ahead for this run by the source, which made the message for it: it goes on as it is
          if (opts.keysSeen && sampled < KEYS_SAMPLE) {
            const { tally } = msg;
            if (tally) {
              for (const { at, keys } of tally.keys) if (sampled + at < KEYS_SAMPLE) for (const key of keys) opts.keysSeen.add(key);
              sampled += tally.n;
            } else {
              sampled++;
              if (ahead.keys) for (const key of ahead.keys) opts.keysSeen.add(key);
            }
          }
          subscriber.next(msg);
          return;
        }
        let attrs;
        try {
          if (ahead) throw new PayloadError(ahead.error);
          attrs = decoder.decode(msg.data, opts.keysSeen && sampled < KEYS_SAMPLE ? undefined : only);
        } catch (err) {
          if (!(err instanceof PayloadError)) throw err;
          onError({ message: msg, reason: err.message });
          if (opts.malformed === "keep") subscriber.next(withAttrs(msg, newAttrs()));
          return;
        }
        if (opts.keysSeen && sampled < KEYS_SAMPLE) {
          sampled++;
          for (const key in attrs) opts.keysSeen.add(key);
        }
        const out = withAttrs(msg, attrs);
        if (decoder.repeated) out.pairs = decoder.repeated;
        subscriber.next(out);
      });
    });
}
