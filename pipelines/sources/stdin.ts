import { Observable } from "rxjs";
import * as z from "zod";
import { lineBatches, untilStopped } from "../../formats/lines.ts";
import type { Message } from "../../lib/message.ts";
import { type SourceContext, sourceKind } from "./source.ts";

export const stdinConfig = z.strictObject({
  subject: z.string().min(1).default("stdin").describe("subject given to every message").meta({ examples: ["cms.test"] }),
});
export type StdinConfig = z.infer<typeof stdinConfig>;

/**
 * Emits one message per line of standard input (empty lines skipped), stamped with its arrival time;
 * completes at the end of input or when `ctx.signal` aborts.
 */
export function stdinSource(config: StdinConfig, ctx: SourceContext): Observable<Message> {
  return new Observable<Message>((subscriber) => {
    const stopped = () => ctx.signal.aborted || subscriber.closed;
    (async () => {
      for await (const batch of lineBatches(untilStopped<Buffer | string>(ctx.stdin, ctx.signal), ctx.signal)) {
        const time = ctx.scheduler.now();
        for (const data of batch) {
          if (stopped()) return;
          if (data !== "") subscriber.next({ time, subject: config.subject, data });
        }
      }
    })().then(
      () => subscriber.complete(),
      (err) => subscriber.error(err),
    );
  });
}

export const kind = sourceKind({
  name: "stdin",
  description: "one payload per line of standard input, stamped with its arrival time",
  config: stdinConfig,
  shorthand: "subject",
  examples: ["stdin", "'stdin: {subject: cms.test}'"],
  live: () => true,
  create: stdinSource,
});
