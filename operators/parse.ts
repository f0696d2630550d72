import { type OperatorFunction, Observable } from "rxjs";
import { type Message, withAttrs } from "./message.ts";
import { type DecodeOptions, PayloadError, payloadDecoder } from "./payload.ts";

export type ParseOptions = DecodeOptions;

/** A message whose payload could not be read, and why. */
export interface ParseFailure {
  message: Message;
  reason: string;
}

/**
 * Reads each message's payload into `attrs` (see {@link decodePayload} for the formats).
 *
 * Emits every message that parses, in order, with `attrs` set; completes when the source completes.
 * A payload that is not valid in its format is not emitted: it goes to `onError` and the stream goes on,
 * so one bad producer never stops a pipeline.
 *
 * @example
 * replay$.pipe(parse({ format: "auto" }, (f) => report.parseFailure(f)))
 */
export function parse(opts: ParseOptions, onError: (failure: ParseFailure) => void): OperatorFunction<Message, Message> {
  return (source) =>
    new Observable<Message>((subscriber) => {
      const decode = payloadDecoder(opts);
      return source.subscribe({
        next(msg) {
          let attrs;
          try {
            attrs = decode(msg.data);
          } catch (err) {
            if (!(err instanceof PayloadError)) throw err;
            onError({ message: msg, reason: err.message });
            return;
          }
          subscriber.next(withAttrs(msg, attrs));
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
