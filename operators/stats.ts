import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike } from "rxjs";
import { type Message, newAttrs } from "./message.ts";

export interface StatsOptions {
  /** Window length in milliseconds; windows are aligned to multiples of it since the epoch. */
  everyMs: number;
  /** Attributes to count by (a missing attribute counts as the empty value). @default [] */
  by?: readonly string[];
  /** Keep only the N largest counts of each window, largest first. @default all, sorted by value */
  top?: number;
  /**
   * What moves the clock that closes windows. `messages`: the latest message time (replay: output
   * depends only on the data). `scheduler`: also the scheduler's clock, read by a timer at every
   * window end, so a quiet live stream still emits on time.
   * @default "messages"
   */
  clock?: "messages" | "scheduler";
}

interface Entry {
  values: string[];
  count: number;
}

/**
 * Counts messages in tumbling windows of `everyMs`, per distinct value of the `by` attributes.
 *
 * A message counts in the window holding its `time`; a window closes once the clock reaches its end,
 * and then emits its rows at once: attributes `window_start`, `window_end` (ISO 8601), the `by`
 * attributes in order, then `count`; rows sorted by the `by` values (numbers numerically). Without
 * `by` every window emits one row, a count of 0 included. A message older than the open window
 * (out of order) counts in the open window, so every message is counted exactly once. When the
 * source completes the open window is emitted, then the output completes.
 *
 * @example
 * // per-site counts every minute, on a live stream
 * parsed$.pipe(stats({ everyMs: 60_000, by: ["site"], clock: "scheduler" }))
 */
export function stats(opts: StatsOptions, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<Message, Message> {
  const every = opts.everyMs;
  const by = opts.by ?? [];
  const live = opts.clock === "scheduler";
  return (source) =>
    new Observable<Message>((subscriber) => {
      let start = live ? align(scheduler.now(), every) : NaN;
      let counts = new Map<string, Entry>();

      const emitWindow = () => {
        for (const row of rows(start, every, by, counts, opts.top)) subscriber.next(row);
        counts = new Map();
        start += every;
      };
      const advance = (clock: number) => {
        if (Number.isNaN(start)) start = align(clock, every);
        while (clock >= start + every) {
          if (counts.size === 0 && by.length > 0) start = Math.max(start + every, align(clock, every)); // skip empty windows at once
          else emitWindow();
        }
      };

      const timer = live
        ? scheduler.schedule(function () {
            advance(scheduler.now());
            this.schedule(undefined, start + every - scheduler.now());
          }, start + every - scheduler.now())
        : undefined;

      const sub = source.subscribe({
        next(msg) {
          advance(live ? Math.max(msg.time, scheduler.now()) : msg.time);
          const attrs = msg.attrs;
          // one attribute (the common case) is its own key: no array, no join per message
          const key = by.length === 1 ? String(attrs?.[by[0]] ?? "") : by.map((name) => String(attrs?.[name] ?? "")).join("\u0001");
          const entry = counts.get(key);
          if (entry) entry.count++;
          else counts.set(key, { values: by.length === 1 ? [key] : key.split("\u0001"), count: 1 });
        },
        error: (err) => subscriber.error(err),
        complete() {
          timer?.unsubscribe();
          if (!Number.isNaN(start)) emitWindow();
          subscriber.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        sub.unsubscribe();
      };
    });
}

function align(time: number, every: number): number {
  return Math.floor(time / every) * every;
}

function rows(start: number, every: number, by: readonly string[], counts: Map<string, Entry>, top?: number): Message[] {
  let entries = [...counts.values()];
  if (by.length === 0) entries = [{ values: [], count: entries[0]?.count ?? 0 }];
  entries.sort((a, b) => compareValues(a.values, b.values));
  if (top !== undefined) entries = entries.sort((a, b) => b.count - a.count).slice(0, top); // stable: ties keep value order
  const end = start + every;
  const window = { start, end, by };
  const window_start = new Date(start).toISOString();
  const window_end = new Date(end).toISOString();
  return entries.map(({ values, count }) => {
    const attrs = newAttrs();
    attrs.window_start = window_start;
    attrs.window_end = window_end;
    by.forEach((name, i) => (attrs[name] = values[i]));
    attrs.count = count;
    return { time: end, subject: "stats", data: "", attrs, window };
  });
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/** Orders value lists: numbers numerically, text by code point, numbers before text. */
export function compareValues(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    const nx = NUMBER.test(x);
    const ny = NUMBER.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}
