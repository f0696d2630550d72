import { existsSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as z from "zod";
import { formatDuration } from "../lib/duration.ts";
import { type Receipt, releaseAll, type WindowRow } from "../lib/message.ts";
import type { ChartPoint, ChartSpec } from "./chart/render.ts";
import { dashIsStdout, fileOutputs } from "./line_writer.ts";
import { type Sink, type SinkContext, SinkError, sinkKind } from "./sink.ts";

export const chartConfig = z.strictObject({
  path: z
    .string()
    .min(1)
    .refine((p) => p === "-" || /\.(html?|svg)$/i.test(p), "a chart is written as .html (a page, works offline) or .svg (the picture alone), or - (SVG on stdout)")
    .describe("file to write: .html or .svg; - for SVG on stdout")
    .meta({ examples: ["failures.html"] }),
  overwrite: z.boolean().default(false).describe("replace a file that is not empty (--force); without it such a file is refused and left as it is"),
  mark: z.enum(["line", "area"]).default("line").describe("line: one line per series; area: stacked areas (the top is the total)"),
  series: z.number().int().min(1).max(30).default(8).describe("series drawn: the values with the largest totals; the rest are summed as other"),
  measure: z.string().min(1).default("count").describe("what the y axis shows: count, or a measure the stats step makes (failed, sum_size...)"),
  title: z.string().optional().describe("the chart's title; default the pipeline as written"),
  width: z.number().int().min(200).default(900).describe("plot width in pixels"),
  height: z.number().int().min(100).default(360).describe("plot height in pixels"),
});
export type ChartConfig = z.infer<typeof chartConfig>;

/** A live run redraws its chart at most this often (on a window's end); a replay draws it once, at the end. */
export const REDRAW_MS = 10_000;

interface Column {
  start: number;
  end: number;
  values: Map<string, number>;
}

/**
 * Draws stats windows as a time series (sinks/chart/render.ts): one series per value of the stats
 * step's `by` attributes, the largest `series` by total, the rest summed as "other", a window
 * without a value as 0. The file is written whole (a temporary file renamed over it), at the end and,
 * on a live stream, after a window at most every {@link REDRAW_MS}: a reader never sees half a chart.
 */
export function chartSink(config: ChartConfig, ctx: SinkContext): Sink {
  const name = `chart ${config.path}`;
  const columns = new Map<number, Column>();
  let by: readonly string[] = [];
  let n = 0;
  let drawnWindows = 0;
  let lastDraw = -Infinity;
  let drawing: Promise<void> = Promise.resolve();
  let failure: Error | undefined;
  /** Receipts of the windows not drawn yet: released once a chart holding them is written. */
  let receipts: Receipt[] = [];

  const spec = (): ChartSpec => {
    const list = [...columns.values()].sort((a, b) => a.start - b.start);
    const totals = new Map<string, number>();
    for (const c of list) for (const [s, v] of c.values) totals.set(s, (totals.get(s) ?? 0) + v);
    const ranked = [...totals].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).map(([s]) => s);
    const kept = ranked.slice(0, config.series);
    const rest = ranked.length > kept.length;
    const series = rest ? [...kept, "other"] : kept;
    const points: ChartPoint[] = [];
    for (const c of list) {
      let other = 0;
      for (const [s, v] of c.values) if (!kept.includes(s)) other += v;
      for (const s of kept) points.push({ time: c.start, series: s, value: c.values.get(s) ?? 0 });
      if (rest) points.push({ time: c.start, series: "other", value: other });
    }
    const every = list.length > 0 ? formatDuration(list[0].end - list[0].start) : "";
    const what = by.length > 0 ? `by ${by.join(", ")}${rest ? `, the top ${kept.length} of ${ranked.length} values (the rest as other)` : ""}` : "all messages";
    return {
      title: config.title ?? ctx.title,
      subtitle: `${config.measure} per ${every ? `${every} ` : ""}window ${what}`,
      series,
      points,
      measure: config.measure,
      mark: config.mark,
      width: config.width,
      height: config.height,
    };
  };

  const draw = () => {
    const windows = columns.size;
    const drawn = receipts;
    receipts = [];
    drawing = drawing.then(async () => {
      if (failure) return releaseAll(drawn, false);
      try {
        const { renderHtml, renderSvg } = await import("./chart/render.ts"); // Vega is evaluated only when a chart is drawn
        const text = /\.html?$/i.test(config.path) ? await renderHtml(spec()) : await renderSvg(spec());
        if (config.path === "-") ctx.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
        else if (existsSync(config.path) && !statSync(config.path).isFile()) writeFileSync(config.path, text); // a device or a pipe: written into, never replaced
        else {
          const tmp = `${config.path}.tmp-${process.pid}`;
          try {
            writeFileSync(tmp, text);
            renameSync(tmp, config.path);
          } catch (err) {
            rmSync(tmp, { force: true });
            throw err;
          }
        }
        drawnWindows = windows;
        releaseAll(drawn, true);
      } catch (err) {
        failure = err as Error;
        releaseAll(drawn, false);
      }
    });
  };

  return {
    name,
    write(msg) {
      if (failure) throw new SinkError(name, `cannot write: ${failure.message}`, { cause: failure });
      const w = msg.window as WindowRow;
      n++;
      if (msg.receipts) receipts.push(...msg.receipts);
      by = w.by;
      let c = columns.get(w.start);
      if (!c) columns.set(w.start, (c = { start: w.start, end: w.end, values: new Map() }));
      const label = w.by.length === 0 ? "all" : w.values.map((v) => (v === "" ? "(none)" : v)).join(" ");
      c.values.set(label, (c.values.get(label) ?? 0) + (w.measures[config.measure] ?? 0));
      if (ctx.live && w.rank === w.rows - 1 && ctx.scheduler.now() - lastDraw >= REDRAW_MS) {
        lastDraw = ctx.scheduler.now();
        draw();
      }
    },
    pending: () => (columns.size > drawnWindows ? n : 0),
    async close(completed) {
      if (columns.size > 0 || completed) draw();
      await drawing;
      if (failure) throw new SinkError(name, `cannot write: ${failure.message}`, { cause: failure, result: { delivered: 0, dropped: n } });
      return { delivered: n, dropped: 0 };
    },
  };
}

export const kind = sinkKind({
  name: "chart",
  description: "stats windows drawn as a time-series chart: one series per by value (top N, the rest as other), lines or stacked areas; .html (works offline) or .svg",
  config: chartConfig,
  shorthand: "path",
  examples: ["chart:failures.html", "'chart: {path: sites.svg, mark: area, series: 5}'", "'chart: {path: failed.html, measure: failed}'"],
  accepts: () => ["windows"],
  outputs: (c) => fileOutputs({ path: c.path, append: false, overwrite: c.overwrite }),
  stdout: dashIsStdout,
  create: chartSink,
});
