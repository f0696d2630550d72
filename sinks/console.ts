import { z } from "zod";
import type { Message } from "../operators/message.ts";
import { LineWriter } from "./line_writer.ts";
import { windowRows } from "./window_rows.ts";
import type { Sink, SinkContext, SinkResult } from "./sink.ts";

export const consoleConfig = z.strictObject({
  format: z
    .enum(["values", "raw", "json", "counts"])
    .default("values")
    .describe(
      "values: attribute values joined by one space (as nats-sub prints them); raw: [#N] [subject] 'payload'; json: one object per line; " +
        "counts: stats windows as nats-sub -showStats prints them, count(<label>) N then sorted 'value: count' lines",
    ),
  time: z.boolean().default(false).describe("prefix each line with the message time, YYYY/MM/DD HH:MM:SS local time (nats-sub -t)"),
  label: z.string().default("").describe("counts: what the count line names, e.g. the subscribed subject"),
});
export type ConsoleConfig = z.infer<typeof consoleConfig>;

/** Writes one line per message to stdout. */
export function consoleSink(config: ConsoleConfig, ctx: SinkContext): Sink {
  const out = LineWriter.open("console", "-", ctx.stdout);
  const prefix = (msg: Message) => (config.time ? logTime(msg.time) : "");
  const counts = config.format === "counts" ? countsPrinter(config.label, prefix, (text, rows) => out.write(text, rows)) : undefined;
  const format = config.format === "counts" ? undefined : formatter(config.format);
  let n = 0;
  return {
    name: "console",
    write(msg) {
      if (out.error) throw out.error;
      n++;
      if (counts) counts.add(msg);
      else out.write(prefix(msg) + format!(msg, n) + "\n");
    },
    pending: () => (counts ? counts.held() : 0) + out.unwritten,
    close(): Promise<SinkResult> {
      counts?.flush();
      return out.finish("console", n, "write to stdout failed");
    },
  };
}

function formatter(format: Exclude<ConsoleConfig["format"], "counts">): (msg: Message, n: number) => string {
  switch (format) {
    case "values":
      return (msg) => (msg.attrs ? Object.values(msg.attrs).join(" ") : msg.data);
    case "raw":
      return (msg, n) => `[#${n}] [${msg.subject}] '${msg.data}'`;
    case "json":
      return (msg) => JSON.stringify(msg.attrs ?? { time: new Date(msg.time).toISOString(), subject: msg.subject, data: msg.data });
  }
}

/**
 * Prints stats rows as the Go nats-sub does: per window `count(<label>) <total>`, then one
 * `value: count` line per row of a `by` window; each window as one block.
 */
function countsPrinter(label: string, prefix: (msg: Message) => string, write: (text: string, rows: number) => void) {
  return windowRows((rows) => {
    const by = rows[0].window?.by ?? [];
    const total = rows.reduce((sum, r) => sum + Number(r.attrs?.count ?? 0), 0);
    let text = `${prefix(rows[0])}count(${label}) ${total}\n`;
    if (by.length > 0) for (const r of rows) text += `${by.map((name) => r.attrs?.[name] ?? "").join(" ")}: ${r.attrs?.count ?? 0}\n`;
    write(text, rows.length);
  });
}

const pad = (v: number) => String(v).padStart(2, "0");

/** Go's log prefix, `YYYY/MM/DD HH:MM:SS `, in local time. */
export function logTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} `;
}
