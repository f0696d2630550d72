/** Stats window rows made by hand, as the stats step makes them, for sink tests. */
import { type Message, type WindowRow, windowAttrs, WindowRowMessage } from "../../lib/message.ts";

/** The rows of one window [end - every, end), each `[values of by, measures]`. */
export function windowOf(end: number, by: string[], rows: [string[], Record<string, number>][], every = 60_000): Message[] {
  const total = rows.reduce((sum, [, m]) => sum + (m.count ?? 0), 0);
  return rows.map(([values, measures], rank) => {
    const window: WindowRow = { start: end - every, end, by, values, measures, rank, rows: rows.length, total };
    return new WindowRowMessage(end, windowAttrs(window, new Date(end - every).toISOString(), new Date(end).toISOString()), window);
  });
}
