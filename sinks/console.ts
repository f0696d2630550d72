import type { WriteStream } from "node:tty";
import * as z from "zod";
import type { Attrs, Message, Shape } from "../lib/message.ts";
import { windowBars } from "./terminal/bars.ts";
import { LineWriter } from "./line_writer.ts";
import { type Sink, type SinkContext, sinkKind } from "./sink.ts";

const FORMATS = ["values", "raw", "json", "counts", "bars"] as const;

export const consoleConfig = z.strictObject({
  format: z
    .enum(FORMATS)
    .default("values")
    .describe(
      "values: attribute values joined by one space (as nats-sub prints them); raw: [#N] [subject] 'payload'; json: one object per line; " +
        "counts: stats windows as nats-sub -showStats prints them, count(<label>) N on stderr, then sorted 'value: count' lines; " +
        "bars: each stats window as labelled horizontal bars",
    ),
  time: z.boolean().default(false).describe("prefix each line with the time, YYYY/MM/DD HH:MM:SS local time (nats-sub -t)"),
  label: z.string().default("").describe("counts: what the count line names, e.g. the subscribed subject"),
  measure: z.string().min(1).default("count").describe("bars: the measure the bars show (count, or one the stats step makes: failed, sum_size...)"),
  width: z.number().int().min(20).optional().describe("bars: line width; default the terminal's, or 80 when stdout is not a terminal"),
});
export type ConsoleConfig = z.infer<typeof consoleConfig>;

/** Writes one line per message to stdout; `counts` prints each stats window as the Go nats-sub does. */
export function consoleSink(config: ConsoleConfig, ctx: SinkContext): Sink {
  const lines = (text: readonly string[]) => text.join("");
  const out = new LineWriter<string>("console", { path: "-", append: false, stdout: ctx.stdout }, lines);
  const prefix = (msg: Message) => (config.time ? logTime(msg.time) : "");
  let n = 0;
  let write: (msg: Message) => void;
  let err: LineWriter<string> | undefined;
  if (config.format === "counts") {
    const stderr = (err = new LineWriter<string>("console", { path: "-", append: false, stdout: ctx.stderr }, lines));
    let block: string[] = [];
    write = (msg) => {
      const w = msg.window!;
      if (w.by.length > 0) block.push(`${w.values.join(" ")}: ${w.measures.count}\n`);
      if (w.rank < w.rows - 1) return;
      // as the Go tool: the count line on stderr (timestamped with -t), the value lines sorted by their text on stdout
      stderr.write(`${prefix(msg)}count(${config.label}) ${w.total}\n`, w.by.length > 0 ? 0 : 1, w.by.length > 0 ? undefined : msg.receipts);
      if (block.length > 0) out.write(block.sort().join(""), block.length, msg.receipts);
      block = [];
    };
  } else if (config.format === "bars") {
    const tty = ctx.stdout as Partial<WriteStream>;
    const width = config.width ?? (tty.isTTY && tty.columns ? tty.columns : 80);
    let rows: Message[] = [];
    write = (msg) => {
      rows.push(msg);
      if (msg.window!.rank < msg.window!.rows - 1) return;
      out.write(windowBars(rows.map((m) => m.window!), config.measure, width, prefix(msg)), rows.length, msg.receipts);
      rows = [];
    };
  } else {
    const format = formatter(config.format);
    write = (msg) => out.write(prefix(msg) + format(msg, n) + "\n", 1, msg.receipts);
  }
  return {
    name: "console",
    write(msg) {
      if (out.error) throw out.error;
      n++;
      write(msg);
    },
    pending: () => out.unwritten + (err?.unwritten ?? 0),
    behind: () => out.behind() || (err?.behind() ?? false),
    async close(completed) {
      await err?.finish(0, completed, "write to stderr failed");
      return out.finish(n, completed, "write to stdout failed");
    },
  };
}

function formatter(format: Exclude<ConsoleConfig["format"], "counts" | "bars">): (msg: Message, n: number) => string {
  switch (format) {
    case "values":
      // each value of a repeated key, as the Go tool prints them
      return (msg) => (msg.pairs ? msg.pairs.map((p) => p[1]).join(" ") : msg.attrs ? values(msg.attrs) : msg.data);
    case "raw":
      return (msg, n) => `[#${n}] [${msg.subject}] '${msg.data}'`;
    case "json":
      return (msg) => JSON.stringify(msg.attrs ?? { time: new Date(msg.time).toISOString(), subject: msg.subject, data: msg.data });
  }
}

const pad = (v: number) => String(v).padStart(2, "0");

/** Go's log prefix, `YYYY/MM/DD HH:MM:SS `, in local time. */
export function logTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} `;
}

const ANY: readonly Shape[] = ["payloads", "records", "windows"];

export const kind = sinkKind({
  name: "console",
  description: "lines on stdout: values (default), raw, json, counts (stats as nats-sub -showStats) or bars (stats as horizontal bars)",
  config: consoleConfig,
  shorthand: "format",
  examples: ["console", "console:raw", "'console: {format: json, time: true}'", "console:counts", "console:bars"],
  accepts: (c) => (c.format === "counts" || c.format === "bars" ? ["windows"] : c.format === "raw" ? ANY : ["records", "windows"]),
  stdout: () => "lines",
  create: consoleSink,
});

/** The values of `attrs` in their order, joined by spaces: for...in makes no array, as Object.values would. */
function values(attrs: Attrs): string {
  let line = "";
  let first = true;
  for (const key in attrs) {
    line += first ? String(attrs[key]) : ` ${attrs[key]}`;
    first = false;
  }
  return line;
}
