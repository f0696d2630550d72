import { Observable } from "rxjs";
import { z } from "zod";
import type { Message } from "../../operators/message.ts";
import { lineBatches } from "./lines.ts";
import type { SourceContext } from "./source.ts";

export const stdinConfig = z.strictObject({
  subject: z.string().min(1).default("stdin").describe("subject given to every message"),
});
export type StdinConfig = z.infer<typeof stdinConfig>;

/**
 * Emits one message per line of standard input (empty lines skipped), stamped with its arrival time;
 * completes at the end of input or when `ctx.signal` aborts.
 */
export function stdinSource(config: StdinConfig, ctx: SourceContext): Observable<Message> {
  return new Observable<Message>((subscriber) => {
    const stopped = () => ctx.signal.aborted || subscriber.closed;
    const stop = () => ctx.stdin.destroy();
    ctx.signal.addEventListener("abort", stop, { once: true });
    (async () => {
      for await (const batch of lineBatches(ctx.stdin)) {
        const time = ctx.scheduler.now();
        for (const data of batch) {
          if (stopped()) return;
          if (data !== "") subscriber.next({ time, subject: config.subject, data });
        }
      }
    })().then(
      () => subscriber.complete(),
      (err) => (ctx.signal.aborted ? subscriber.complete() : subscriber.error(err)),
    );
    return () => ctx.signal.removeEventListener("abort", stop);
  });
}
