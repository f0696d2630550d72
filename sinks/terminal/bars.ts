import type { WindowRow } from "../../lib/message.ts";
import { bar, windowText } from "./format.ts";

/** Labels longer than this share of the line are cut, so the bars keep room. */
const LABEL_SHARE = 0.4;

/**
 * One stats window as text: a line with its time and message count, then a labelled bar per row,
 * scaled to the window's largest value of `measure`, the value after the bar; a blank line after.
 *
 *   2026-11-21 13:00:00 → 13:01:00 UTC   311 messages
 *   T1_US_FNAL      ████████████████████████████████████████▏  37
 *   T2_US_Caltech   █████████████████████████████████████▉     35
 */
export function windowBars(rows: readonly WindowRow[], measure: string, width: number, prefix = ""): string {
  const w = rows[0];
  const labels = rows.map((r) => (r.by.length === 0 ? "all" : r.values.map((v) => (v === "" ? "(none)" : v)).join(" ")));
  const values = rows.map((r) => r.measures[measure] ?? 0);
  const numbers = values.map((v) => (Number.isInteger(v) ? String(v) : v.toFixed(2)));
  const labelWidth = Math.min(Math.max(...labels.map((l) => l.length)), Math.floor(width * LABEL_SHARE));
  const numberWidth = Math.max(...numbers.map((n) => n.length));
  const barWidth = Math.max(1, width - labelWidth - numberWidth - 4);
  const max = Math.max(0, ...values);
  let text = `${prefix}${windowText(w)}   ${w.total} message${w.total === 1 ? "" : "s"}${measure === "count" ? "" : `, ${measure}`}\n`;
  rows.forEach((_, i) => {
    const label = labels[i].length > labelWidth ? `${labels[i].slice(0, labelWidth - 1)}…` : labels[i].padEnd(labelWidth);
    text += `${label}  ${bar(max > 0 ? values[i] / max : 0, barWidth).padEnd(barWidth)}  ${numbers[i].padStart(numberWidth)}\n`;
  });
  return `${text}\n`;
}
