/**
 * What the `top` view shows at one moment, computed from the window counts alone (no terminal): the
 * same model makes the live screen and the plain-text frames, so what a test reads from a pipe is
 * what a person sees.
 */
import { formatDuration } from "../../lib/duration.ts";
import type { Window, WindowCounts } from "./window_counts.ts";

export interface TopRow {
  value: string;
  count: number;
  /** Of the window's messages, 0..1. */
  share: number;
  /** This value's count in each window of the history, oldest first, the shown one last. */
  history: number[];
  description?: string;
}

export interface TopTable {
  /** The attribute as the user named it. */
  name: string;
  /** Distinct values in the window. */
  values: number;
  rows: TopRow[];
  /** What the rows leave out: values and their messages. */
  rest: { values: number; messages: number };
}

export interface TopModel {
  title: string;
  /** The window length shown, e.g. `10s` or `all`. */
  every: string;
  /** The shown window; undefined before the first message. */
  window?: { start: number; end: number };
  /** Messages in the shown window, and per second of it. */
  total: number;
  rate: number;
  /** The run's counters: `in`, then the ones a person watches (parse errors, reconnects), then any other that is not zero. */
  counters: [string, number][];
  tables: TopTable[];
  /** Which table the arrows have chosen. */
  selected: number;
  /** `live`, `paused`, `ended`... shown in the header. */
  status: string;
}

export interface TopState {
  title: string;
  level: number;
  selected: number;
  status: string;
  /** Rows per table, most. */
  top: number;
  /** The attribute names, in --by order. */
  names: readonly string[];
  /** Per attribute: descriptions of its values (exit codes), when it has them. */
  descriptions: readonly (ReadonlyMap<string, string> | undefined)[];
  counters: Readonly<Record<string, number>>;
}

/** Always shown, zero or not: what an operator watches. */
const WATCHED = ["parse_errors", "reconnects"];

export function topModel(counts: WindowCounts, state: TopState): TopModel {
  const windows = counts.windows(state.level);
  const shown: Window | undefined = windows.at(-1);
  const every = counts.levels[state.level];
  const tables = state.names.map((name, a) => table(name, windows, a, state.top, state.descriptions[a]));
  const counters: [string, number][] = [["in", state.counters.in ?? 0], ...WATCHED.map((n): [string, number] => [n, state.counters[n] ?? 0])];
  for (const [name, n] of Object.entries(state.counters)) if (n !== 0 && name !== "in" && name !== "out" && !WATCHED.includes(name)) counters.push([name, n]);
  let rate = 0;
  if (shown) {
    // the part of the window that has passed: all of a closed one, up to the clock for the current one
    const seconds = every === "all" ? (shown.end - shown.start) / 1000 : (Math.min(shown.end, counts.now + 1) - shown.start) / 1000;
    rate = seconds > 0 ? shown.total / seconds : shown.total;
  }
  return {
    title: state.title,
    every: every === "all" ? "all" : formatDuration(every),
    ...(shown ? { window: { start: shown.start, end: shown.end } } : {}),
    total: shown?.total ?? 0,
    rate,
    counters,
    tables,
    selected: state.selected,
    status: state.status,
  };
}

function table(name: string, windows: readonly Window[], a: number, top: number, descriptions?: ReadonlyMap<string, string>): TopTable {
  const shown = windows.at(-1);
  const counts = shown?.counts[a] ?? new Map<string, number>();
  // largest first; ties in value order, so a frame is the same every time
  const sorted = [...counts].sort(([x, m], [y, n]) => n - m || (x < y ? -1 : x > y ? 1 : 0));
  const rows = sorted.slice(0, top).map(([value, count]): TopRow => {
    const description = descriptions?.get(value);
    return {
      value,
      count,
      share: shown && shown.total > 0 ? count / shown.total : 0,
      history: windows.map((w) => w.counts[a].get(value) ?? 0),
      ...(description !== undefined ? { description } : {}),
    };
  });
  const left = sorted.slice(top);
  return { name, values: sorted.length, rows, rest: { values: left.length, messages: left.reduce((s, [, n]) => s + n, 0) } };
}
