import type { Message } from "../operators/message.ts";

/**
 * Gathers the rows of one stats window for sinks that handle a window as a whole. The stats
 * operator emits a window's rows in one synchronous burst, so a window is complete when a row of
 * another window arrives or when the burst is over (a microtask later); `done` then gets its rows.
 */
export function windowRows(done: (rows: Message[]) => void) {
  let rows: Message[] = [];
  const flush = () => {
    if (rows.length === 0) return;
    const complete = rows;
    rows = [];
    done(complete);
  };
  return {
    add(msg: Message): void {
      if (rows.length > 0 && rows[0].window?.end !== msg.window?.end) flush();
      if (rows.length === 0) queueMicrotask(flush);
      rows.push(msg);
    },
    /** Hands on the rows gathered so far (on close). */
    flush,
    /** Rows gathered and not handed on yet. */
    held: (): number => rows.length,
  };
}
