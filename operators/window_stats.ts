import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from "rxjs";
import { groupKey, groupValues, holdAll, windowStart, type Message, type Receipt, releaseAll, type WindowRow, windowAttrs, WindowRowMessage } from "../lib/message.ts";
import type { AttributeRef } from "./attributes.ts";
import { operate } from "./operate.ts";

/** What to measure per row besides `count`; each gives columns named as in {@link measureNames}. */
export interface MeasureOptions {
  /** `{failed: test}`: a column `failed` counting the messages the test accepts. */
  countIf?: readonly { name: string; test: (msg: Message) => boolean }[];
  /** A column `distinct_<name>` each: how many different values the attribute took. */
  distinct?: readonly AttributeRef[];
  /** Columns `sum_<name>`, `min_<name>`, `max_<name>`, `avg_<name>` of numeric attributes. */
  sum?: readonly AttributeRef[];
  min?: readonly AttributeRef[];
  max?: readonly AttributeRef[];
  avg?: readonly AttributeRef[];
}

export interface WindowStatsOptions {
  /** Window length in milliseconds, windows aligned to multiples of it since the epoch; `all`: one window for the whole run, emitted when it ends. */
  everyMs: number | "all";
  /** Attributes to group by (a missing attribute groups as the empty value); rows name them as `ref.name`. @default [] */
  by?: readonly AttributeRef[];
  measures?: MeasureOptions;
  /** Keep only the N rows with the largest counts of each window. @default all */
  top?: number;
  /** Row order within a window: `value` (the by values: numbers numerically, before text) or `count` (largest first, ties by value). @default value, or count with `top` */
  sort?: "value" | "count";
  /** How long a window stays open after its end for messages that arrive out of order. @default 0 */
  latenessMs?: number;
  /**
   * What moves the clock that closes windows. `messages`: the latest message time (replay: output
   * depends only on the data). `scheduler`: the scheduler's clock too, read by a timer at every
   * window end, so a quiet live stream still emits on time.
   * @default "messages"
   */
  clock?: "messages" | "scheduler";
  /** A message older than every open window (its window was already emitted): not counted. A tally is late as a whole. */
  onLate?(msg: Message): void;
  /** A value of a sum/min/max/avg attribute that is not a number: left out of that measure. */
  onNonNumeric?(measure: string): void;
}

/** Windows without messages emitted in a row at most: a time jump in a recording must not make millions of empty rows. */
export const MAX_EMPTY_WINDOWS = 10_000;

/** The measure columns a config gives, in row order: count, count_if names, distinct_*, sum_*, min_*, max_*, avg_*. */
export function measureNames(m: { countIf?: readonly string[]; distinct?: readonly string[]; sum?: readonly string[]; min?: readonly string[]; max?: readonly string[]; avg?: readonly string[] }): string[] {
  return [
    "count",
    ...(m.countIf ?? []),
    ...(["distinct", "sum", "min", "max", "avg"] as const).flatMap((kind) => (m[kind] ?? []).map((name) => `${kind}_${name}`)),
  ];
}

interface Measure {
  name: string;
  init(): unknown;
  add(state: unknown, msg: Message): unknown;
  value(state: unknown): number | undefined;
}

interface Group {
  values: string[];
  /** Each value as a number, for ordering, when it reads as one (read once per group, not at every comparison). */
  numbers: (number | undefined)[];
  count: number;
  states: unknown[];
}

/**
 * Measures messages in tumbling windows of `everyMs`, per distinct value of the `by` attributes.
 *
 * A message counts in the window holding its `time`; a window closes once the clock passes its end
 * (plus `latenessMs`), and then emits its rows at once, in `sort` order: messages with `window` (the
 * window, the by values, the measures, the row's rank in its window) and `attrs` (the same as flat
 * columns: window_start, window_end ISO 8601, the by attributes, the measures). Without `by` every
 * window emits one row, a count of 0 included. A message whose window has already been emitted is
 * handed to `onLate`, not counted. A message with a `tally` counts as the run of messages it stands
 * for (only `count` is measured then). When the source completes the open windows are emitted, then
 * the output completes; an exception goes to the subscriber's error.
 *
 * @example
 * // per-site counts every minute, on a live stream
 * parsed$.pipe(windowStats({ everyMs: 60_000, by: [siteRef], clock: "scheduler" }))
 */
export function windowStats(opts: WindowStatsOptions, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<Message, Message> {
  const by = opts.by ?? [];
  const byNames = by.map((r) => r.name);
  const measures = compileMeasures(opts.measures ?? {}, opts.onNonNumeric);
  const sort = opts.sort ?? (opts.top !== undefined ? "count" : "value");
  const lateness = opts.latenessMs ?? 0;
  const whole = opts.everyMs === "all";
  const every = whole ? 0 : (opts.everyMs as number);
  const live = opts.clock === "scheduler" && !whole;
  const newGroup = (values: string[]): Group => ({ values, numbers: values.map(orderNumber), count: 0, states: measures.map((m) => m.init()) });

  return (source) =>
    new Observable<Message>((subscriber) => {
      /** Open windows by start time (whole run: one, at 0). */
      const open = new Map<number, Map<string, Group>>();
      /** Receipts of the messages in each open window: held until the window's rows are handed on. */
      const held = new Map<number, Receipt[]>();
      /** The latest time the clock has shown. */
      let clock = -Infinity;
      /** Without `by`: the start of the next window to emit, empty or not. */
      let cursor: number | undefined = live ? windowStart(scheduler.now(), every) : undefined;
      let first = Infinity;
      let last = -Infinity;

      const emit = (start: number, end: number, groups: Map<string, Group> | undefined, key = start) => {
        const receipts = held.get(key);
        held.delete(key);
        let list = groups ? [...groups.values()] : [];
        if (by.length === 0 && list.length === 0) list = [newGroup([])];
        list.sort(compareValues);
        if (sort === "count") list.sort((a, b) => b.count - a.count); // stable: ties keep value order
        const total = list.reduce((sum, g) => sum + g.count, 0);
        if (opts.top !== undefined) list = list.slice(0, opts.top);
        const startIso = new Date(start).toISOString();
        const endIso = new Date(end).toISOString();
        list.forEach((g, rank) => {
          const values: Record<string, number> = { count: g.count };
          measures.forEach((m, i) => {
            const v = m.value(g.states[i]);
            if (v !== undefined) values[m.name] = v;
          });
          const row: WindowRow = { start, end, by: byNames, values: g.values, measures: values, rank, rows: list.length, total };
          const out = new WindowRowMessage(end, windowAttrs(row, startIso, endIso), row);
          if (receipts && rank === list.length - 1) out.receipts = receipts; // the sinks have the window once they have its last row
          subscriber.next(out);
        });
        releaseAll(receipts, true);
      };
      const due = (start: number) => start + every + lateness <= clock;
      /** Emits, in order, every window `ready` says is ready; without `by` the empty ones between too (a long gap at most {@link MAX_EMPTY_WINDOWS} of them). */
      const emitWindows = (ready: (start: number) => boolean) => {
        if (by.length > 0) {
          for (const start of [...open.keys()].sort((a, b) => a - b)) {
            if (!ready(start)) break;
            emit(start, start + every, open.get(start));
            open.delete(start);
          }
          return;
        }
        let empty = 0;
        while (cursor !== undefined && ready(cursor)) {
          const groups = open.get(cursor);
          if (!groups && ++empty > MAX_EMPTY_WINDOWS) {
            const next = Math.min(...open.keys());
            if (next === Infinity) break;
            cursor = next;
            continue;
          }
          if (groups) empty = 0;
          emit(cursor, cursor + every, groups);
          open.delete(cursor);
          cursor += every;
        }
      };

      /** The group of a key in a window's groups, made at its first message. */
      const group = (groups: Map<string, Group>, key: string) => {
        let g = groups.get(key);
        if (!g) groups.set(key, (g = newGroup(groupValues(key, by.length))));
        return g;
      };
      // the message being added, for the by values: one function for all, not one per message
      let current: Message;
      const byValue = (i: number) => by[i].get(current);

      let timer: Subscription | undefined;
      if (live) {
        const wait = () => windowStart(scheduler.now(), every) + every + lateness - scheduler.now();
        timer = scheduler.schedule(function () {
          clock = Math.max(clock, scheduler.now());
          emitWindows(due);
          this.schedule(undefined, wait());
        }, wait());
      }

      const sub = operate(
        subscriber,
        source,
        (msg) => {
          const time = msg.time;
          const start = whole ? 0 : windowStart(time, every);
          if (!whole && due(start)) {
            opts.onLate?.(msg);
            return;
          }
          cursor ??= start;
          let groups = open.get(start);
          if (!groups) open.set(start, (groups = new Map()));
          const { tally } = msg;
          if (tally) {
            if (measures.length > 0) throw new Error("a tally carries counts only, and this stats step has other measures");
            for (const [key, n] of tally.groups) group(groups, key).count += n;
            tally.found.forEach((found, i) => by[i].seen(found));
            if (tally.first < first) first = tally.first;
          } else {
            current = msg;
            const g = group(groups, groupKey(by.length, byValue));
            g.count++;
            for (let i = 0; i < measures.length; i++) g.states[i] = measures[i].add(g.states[i], msg);
          }
          if (msg.receipts) {
            let list = held.get(start);
            if (!list) held.set(start, (list = []));
            holdAll(msg.receipts);
            list.push(...msg.receipts);
          }
          if (time < first) first = time;
          if (time > last) last = time;
          if (whole) return;
          const now = live ? Math.max(time, scheduler.now()) : time;
          if (now > clock) {
            clock = now;
            emitWindows(due);
          }
        },
        () => {
          timer?.unsubscribe();
          if (whole) {
            // the run's window: its first and last message times
            const seen = first !== Infinity;
            if (seen || by.length === 0) emit(seen ? first : scheduler.now(), seen ? last : scheduler.now(), open.get(0), 0);
          } else {
            const end = live ? windowStart(scheduler.now(), every) : -Infinity;
            emitWindows((start) => open.size > 0 || start <= end);
          }
          open.clear();
          subscriber.complete();
        },
      );
      return () => {
        timer?.unsubscribe();
        sub.unsubscribe();
      };
    });
}

const NUMERIC = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

function numeric(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  return typeof v === "string" && NUMERIC.test(v) ? Number(v) : undefined;
}

function compileMeasures(m: MeasureOptions, onNonNumeric?: (measure: string) => void): Measure[] {
  const out: Measure[] = [];
  for (const { name, test } of m.countIf ?? []) {
    out.push({ name, init: () => 0, add: (n, msg) => (n as number) + (test(msg) ? 1 : 0), value: (n) => n as number });
  }
  for (const ref of m.distinct ?? []) {
    out.push({
      name: `distinct_${ref.name}`,
      init: () => new Set<string>(),
      add: (set, msg) => (set as Set<string>).add(String(ref.get(msg) ?? "")),
      value: (set) => (set as Set<string>).size,
    });
  }
  const numbers = (kind: string, refs: readonly AttributeRef[] | undefined, fold: (acc: number[], x: number) => number[], result: (acc: number[]) => number | undefined) => {
    for (const ref of refs ?? []) {
      const name = `${kind}_${ref.name}`;
      out.push({
        name,
        init: () => [],
        add: (acc, msg) => {
          const v = ref.get(msg);
          if (v === undefined) return acc;
          const x = numeric(v);
          if (x === undefined) {
            onNonNumeric?.(name);
            return acc;
          }
          return fold(acc as number[], x);
        },
        value: (acc) => result(acc as number[]),
      });
    }
  };
  // accumulators are [value] or [sum, n]: small arrays, updated in place
  numbers("sum", m.sum, (a, x) => ((a[0] = (a[0] ?? 0) + x), a), (a) => a[0] ?? 0);
  numbers("min", m.min, (a, x) => ((a[0] = a.length === 0 ? x : Math.min(a[0], x)), a), (a) => a[0]);
  numbers("max", m.max, (a, x) => ((a[0] = a.length === 0 ? x : Math.max(a[0], x)), a), (a) => a[0]);
  numbers("avg", m.avg, (a, x) => ((a[0] = (a[0] ?? 0) + x), (a[1] = (a[1] ?? 0) + 1), a), (a) => (a[1] ? a[0] / a[1] : undefined));
  return out;
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/** A by value as the number it orders by, if it reads as one. */
const orderNumber = (v: string): number | undefined => (NUMBER.test(v) ? Number(v) : undefined);

/** Orders groups by their value lists: numbers numerically, text by code point, numbers before text. */
function compareValues(a: Group, b: Group): number {
  for (let i = 0; i < a.values.length; i++) {
    const x = a.values[i];
    const y = b.values[i];
    if (x === y) continue;
    const nx = a.numbers[i];
    const ny = b.numbers[i];
    if (nx !== undefined && ny !== undefined && nx !== ny) return nx - ny;
    if ((nx === undefined) !== (ny === undefined)) return nx !== undefined ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}
