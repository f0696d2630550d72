import { z } from "zod";
import type { Message } from "../operators/message.ts";
import { LineWriter } from "./line_writer.ts";
import type { Sink, SinkContext, SinkResult } from "./sink.ts";

export const consoleConfig = z.strictObject({
  format: z
    .enum(["values", "raw", "json"])
    .default("values")
    .describe("values: attribute values joined by one space (as nats-sub prints them); raw: [#N] [subject] 'payload'; json: one object per line"),
  time: z.boolean().default(false).describe("prefix each line with the message time, YYYY/MM/DD HH:MM:SS local time (nats-sub -t)"),
});
export type ConsoleConfig = z.infer<typeof consoleConfig>;

/** Writes one line per message to stdout. */
export function consoleSink(config: ConsoleConfig, ctx: SinkContext): Sink {
  const out = LineWriter.open("-", ctx.stdout);
  const format = formatter(config.format);
  let n = 0;
  return {
    name: "console",
    write(msg) {
      n++;
      out.write((config.time ? logTime(msg.time) : "") + format(msg, n) + "\n");
    },
    async close(): Promise<SinkResult> {
      await out.close();
      return { delivered: n, dropped: 0 };
    },
  };
}

function formatter(format: ConsoleConfig["format"]): (msg: Message, n: number) => string {
  switch (format) {
    case "values":
      return (msg) => (msg.attrs ? Object.values(msg.attrs).join(" ") : msg.data);
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
