/**
 * Draws stats windows as a time-series chart with Vega-Lite, rendered to SVG by Vega's own renderer
 * in Node (no browser, no canvas: text widths are estimated). The HTML page holds the SVG inline, so
 * it is one file that works offline.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

export interface ChartPoint {
  /** Window start, epoch ms. */
  time: number;
  series: string;
  value: number;
}

export interface ChartSpec {
  title: string;
  subtitle: string;
  /** Series in legend order ("other" last when there is one). */
  series: readonly string[];
  points: readonly ChartPoint[];
  /** What the y axis counts, e.g. `count`. */
  measure: string;
  mark: "line" | "area";
  width: number;
  height: number;
}

/** Tableau 10, then grey for "other": the rest of the values summed. */
const COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
const OTHER_COLOR = "#8c8c8c";
export const OTHER = "other";

const DAY_MS = 86_400_000;
const spansDays = (points: readonly ChartPoint[]) => points.length > 0 && points.at(-1)!.time - points[0].time >= DAY_MS;

function vegaLite(c: ChartSpec): TopLevelSpec {
  const range = c.series.map((s, i) => (s === OTHER ? OTHER_COLOR : COLORS[i % COLORS.length]));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: c.title, subtitle: c.subtitle, anchor: "start" },
    width: c.width,
    height: c.height,
    background: "white",
    data: { values: c.points as ChartPoint[] },
    mark: c.mark === "area" ? { type: "area", opacity: 0.85 } : { type: "line", strokeWidth: 1.5, point: c.points.length / Math.max(1, c.series.length) <= 60 },
    encoding: {
      // 24-hour UTC times; the date too when the chart spans more than a day
      x: { field: "time", type: "temporal", scale: { type: "utc" }, title: "window start (UTC)", axis: { labelOverlap: true, format: spansDays(c.points) ? "%m-%d %H:%M" : "%H:%M" } },
      y: { field: "value", type: "quantitative", title: c.measure, stack: c.mark === "area" ? "zero" : null },
      color: { field: "series", type: "nominal", title: null, sort: [...c.series], scale: { domain: [...c.series], range }, legend: { orient: "right", labelLimit: 240 } },
      order: { field: "order", type: "quantitative" },
    },
    config: { font: "Helvetica, Arial, sans-serif", view: { stroke: null } },
  };
}

export async function renderSvg(c: ChartSpec): Promise<string> {
  const order = new Map(c.series.map((s, i) => [s, i]));
  const spec = vegaLite({ ...c, points: c.points.map((p) => ({ ...p, order: order.get(p.series) })) });
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const escape = (text: string) => text.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]!);

/** A page with the chart and, under it, each series' total: one file, no script, nothing fetched. */
export async function renderHtml(c: ChartSpec): Promise<string> {
  const svg = await renderSvg(c);
  const totals = c.series.map((s) => [s, c.points.reduce((sum, p) => (p.series === s ? sum + p.value : sum), 0)] as const);
  const rows = totals.map(([s, n]) => `<tr><td>${escape(s)}</td><td>${Number.isInteger(n) ? n : n.toFixed(2)}</td></tr>`).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(c.title)}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; margin-top: 16px; font-size: 13px; }
td, th { padding: 2px 12px 2px 0; text-align: left; }
td + td, th + th { text-align: right; }
</style>
</head>
<body>
${svg}
<table>
<thead><tr><th>series</th><th>total ${escape(c.measure)}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}
