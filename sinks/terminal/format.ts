/**
 * Text for terminal views: sparklines, bars, window times. The block characters of terminal charts. A sparkline and a bar are one character lookup each, so
 * they are written here rather than taken from a package (the sparkline packages do the same
 * lookup, with options this view does not need).
 */

const SPARKS = "▁▂▃▄▅▆▇█";
/** Eighths of a cell, for bars that end between two cells. */
const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/** One character per value, scaled to the largest: 0 is a blank, any other value at least ▁. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (v <= 0 || max === 0 ? " " : SPARKS[Math.min(SPARKS.length - 1, Math.ceil((v / max) * SPARKS.length) - 1)])).join("");
}

/** A horizontal bar `fraction` (0..1) of `width` cells long, to an eighth of a cell; never empty for a value above 0. */
export function bar(fraction: number, width: number): string {
  if (!(fraction > 0)) return "";
  const eighths = Math.max(1, Math.round(Math.min(1, fraction) * width * 8));
  return "█".repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

const pad2 = (n: number) => String(n).padStart(2, "0");
const clock = (ms: number) => {
  const d = new Date(ms);
  return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
};
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `2026-11-21 13:00:10 → 13:00:20 UTC` (the day repeated when the window crosses midnight). */
export function windowText(w: { start: number; end: number }): string {
  return `${day(w.start)} ${clock(w.start)} → ${day(w.end) === day(w.start) ? "" : `${day(w.end)} `}${clock(w.end)} UTC`;
}
