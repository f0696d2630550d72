/**
 * The `top` screen as Ink components: a header (the pipeline, the window, the run's counters), a
 * table per attribute (value, count, share, a sparkline of the last windows, a description) and the
 * keys. Laid out to the terminal's size: tables give up rows, then place, so the screen never
 * scrolls (a frame as tall as the terminal makes Ink clear it on every redraw: flicker).
 */
import { Box, render, renderToString, Text, useInput } from "ink";
import type { Terminal } from "../sink.ts";
import { sparkline, windowText } from "./format.ts";
import type { TopModel, TopTable } from "./top_model.ts";

/** What a key asks the view to do. */
export type TopKey = "quit" | "interrupt" | "pause" | "wider" | "narrower" | "next" | "previous";

/** The screen as plain text, as tall as it needs: a frame for a pipe or a file. */
export function frameText(model: TopModel, columns: number): string {
  return renderToString(<TopScreen model={model} size={{ columns, keys: false }} />, { columns });
}

/**
 * Draws the screen on a terminal and reads its keys (raw mode: Ctrl-C arrives as a key, handed on
 * as "interrupt"). Ink redraws only what changed, at most 10 times a second; a resize redraws to
 * the new size.
 */
export function mountScreen(term: Terminal, onKey: (key: TopKey) => void): { update(model: TopModel): void; unmount(): void } {
  let last: TopModel | undefined;
  const view = () => (
    <>
      {last ? <TopScreen model={last} size={{ columns: term.output.columns || 80, rows: term.output.rows || 24, keys: true }} /> : null}
      <Keys onKey={onKey} />
    </>
  );
  const ink = render(view(), { stdout: term.output, stdin: term.input, exitOnCtrlC: false, patchConsole: false, maxFps: 10 });
  const resize = () => ink.rerender(view());
  term.output.on("resize", resize);
  return {
    update(model) {
      last = model;
      ink.rerender(view());
    },
    unmount() {
      term.output.off("resize", resize);
      ink.unmount();
    },
  };
}

function Keys({ onKey }: { onKey: (key: TopKey) => void }) {
  useInput((input, key) => {
    if (key.ctrl && input === "c") return onKey("interrupt");
    if ((key.tab && !key.shift) || key.rightArrow || key.downArrow) return onKey("next");
    if ((key.tab && key.shift) || key.leftArrow || key.upArrow) return onKey("previous");
    // keys typed faster than a redraw (or pasted) arrive as one input
    for (const ch of input) {
      const k = CHARACTER_KEYS[ch];
      if (k) onKey(k);
    }
  });
  return null;
}

const CHARACTER_KEYS: Record<string, TopKey> = { q: "quit", Q: "quit", p: "pause", " ": "pause", "+": "wider", "=": "wider", "-": "narrower", _: "narrower" };

export interface ScreenSize {
  columns: number;
  /** Undefined: as tall as it needs (a frame printed to a pipe). */
  rows?: number;
  /** The line that lists the keys (only where keys are read). */
  keys: boolean;
}

/** Lines besides the table rows: the header (3) and a blank, per table its title, column names, rest and a blank; the keys. */
const HEADER_LINES = 4;
const TABLE_LINES = 4;

/** How many rows each table shows in `rows` lines; 0 rows: the table is not shown. */
export function fitTables(model: TopModel, size: ScreenSize): number[] {
  const want = model.tables.map((t) => t.rows.length);
  if (size.rows === undefined) return want;
  const budget = size.rows - 1 - HEADER_LINES - (size.keys ? 1 : 0);
  const shown = model.tables.map(() => true);
  const lines = () => want.reduce((sum, n, i) => sum + (shown[i] ? n + TABLE_LINES : 0), 0);
  // the others shrink to one row first, then drop out (last first), then the chosen one shrinks
  for (;;) {
    if (lines() <= budget) break;
    const others = want.map((n, i) => (i !== model.selected && shown[i] && n > 1 ? i : -1)).filter((i) => i >= 0);
    if (others.length > 0) {
      const i = others.reduce((a, b) => (want[b] > want[a] ? b : a));
      want[i]--;
      continue;
    }
    const drop = shown.findLastIndex((s, i) => s && i !== model.selected);
    if (drop >= 0) {
      shown[drop] = false;
      continue;
    }
    if (want[model.selected] === 0) break;
    want[model.selected]--;
  }
  return want.map((n, i) => (shown[i] ? n : 0));
}

function rateText(rate: number): string {
  return rate >= 100 ? rate.toFixed(0) : rate.toFixed(1);
}

export function TopScreen({ model, size }: { model: TopModel; size: ScreenSize }) {
  const fit = fitTables(model, size);
  const counters = model.counters.map(([name, n]) => `${name.replace(/_/g, " ")} ${n}`).join("   ");
  return (
    <Box flexDirection="column" width={size.columns}>
      <Box justifyContent="space-between">
        <Text wrap="truncate-end" bold>
          cms-nats top  {model.title}
        </Text>
        <Text color={model.status === "live" ? "green" : "yellow"}> {model.status}</Text>
      </Box>
      <Text wrap="truncate-end">
        window {model.every}  {model.window ? windowText(model.window) : "(no messages yet)"}   {model.total} messages   {rateText(model.rate)}/s
      </Text>
      <Text wrap="truncate-end" dimColor>
        {counters}
      </Text>
      <Text> </Text>
      {model.tables.map((t, i) => (fit[i] > 0 ? <Table key={t.name} table={t} rows={fit[i]} chosen={size.keys && i === model.selected && model.tables.length > 1} columns={size.columns} every={model.every} /> : null))}
      {size.keys ? <Text dimColor>q quit   p pause   + - window ({model.every})   ← → tab attribute</Text> : null}
    </Box>
  );
}

function Table({ table, rows, chosen, columns, every }: { table: TopTable; rows: number; chosen: boolean; columns: number; every: string }) {
  const shown = table.rows.slice(0, rows);
  const windows = Math.max(0, ...shown.map((r) => r.history.length));
  const trend = `last ${windows}×${every}`;
  const spark = windows > 1 ? Math.max(windows, trend.length) : 0;
  const valueWidth = Math.min(Math.max(5, ...shown.map((r) => r.value.length)), Math.max(12, Math.floor(columns * 0.4)));
  const countWidth = Math.max(5, ...shown.map((r) => String(r.count).length));
  const fixed = valueWidth + countWidth + 7 + (spark > 0 ? spark + 2 : 0) + 4;
  const describe = shown.some((r) => r.description !== undefined) && columns - fixed >= 10;
  const left = table.rest.values > 0 ? `… ${table.rest.values} more value${table.rest.values === 1 ? "" : "s"}, ${table.rest.messages} message${table.rest.messages === 1 ? "" : "s"}` : "";
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end" inverse={chosen} bold>
        {chosen ? "▸ " : ""}
        {table.name}  {table.values} value{table.values === 1 ? "" : "s"}
      </Text>
      <Box>
        <Box width={valueWidth} marginRight={2}>
          <Text dimColor>value</Text>
        </Box>
        <Box width={countWidth} justifyContent="flex-end">
          <Text dimColor>count</Text>
        </Box>
        <Box width={7} justifyContent="flex-end" marginRight={2}>
          <Text dimColor>share</Text>
        </Box>
        {spark > 0 ? (
          <Box width={spark} marginRight={2}>
            <Text dimColor wrap="truncate-end">
              {trend}
            </Text>
          </Box>
        ) : null}
        {describe ? <Text dimColor>description</Text> : null}
      </Box>
      {shown.map((r) => (
        <Box key={r.value}>
          <Box width={valueWidth} marginRight={2}>
            <Text wrap="truncate-end">{r.value === "" ? "(none)" : r.value}</Text>
          </Box>
          <Box width={countWidth} justifyContent="flex-end">
            <Text>{r.count}</Text>
          </Box>
          <Box width={7} justifyContent="flex-end" marginRight={2}>
            <Text>{(100 * r.share).toFixed(1)}%</Text>
          </Box>
          {spark > 0 ? (
            <Box width={spark} marginRight={2}>
              <Text color="cyan">{sparkline(r.history)}</Text>
            </Box>
          ) : null}
          {describe && r.description !== undefined ? (
            <Box flexShrink={1}>
              <Text wrap="truncate-end" color="gray">
                {r.description}
              </Text>
            </Box>
          ) : null}
        </Box>
      ))}
      <Text dimColor>{left === "" ? " " : left}</Text>
      <Text> </Text>
    </Box>
  );
}
