import * as z from "zod";
import { type Message, releaseAll } from "../lib/message.ts";
import { LineWriter } from "./line_writer.ts";
import { type Sink, type SinkContext, sinkKind } from "./sink.ts";

export const keysConfig = z.strictObject({
  examples: z.number().int().min(0).default(3).describe("distinct example values shown per attribute"),
});
export type KeysConfig = z.infer<typeof keysConfig>;

interface Seen {
  messages: number;
  examples: string[];
}

/**
 * What attributes the messages carry, for a first look at an unknown recording: at the end, a table
 * of every attribute name seen, how many messages had it (and what share), and a few of its values.
 * Sorted by how common a name is, then by name.
 */
export function keysSink(config: KeysConfig, ctx: SinkContext): Sink {
  const seen = new Map<string, Seen>();
  let n = 0;
  const out = new LineWriter<string>("keys", { path: "-", append: false, stdout: ctx.stdout }, (t) => t.join(""));
  return {
    name: "keys",
    write(msg: Message) {
      n++;
      releaseAll(msg.receipts, true); // a summary at the end: nothing of a message to keep waiting for
      for (const key in msg.attrs) {
        let s = seen.get(key);
        if (!s) seen.set(key, (s = { messages: 0, examples: [] }));
        s.messages++;
        const v = String(msg.attrs[key]);
        if (s.examples.length < config.examples && !s.examples.includes(v)) s.examples.push(v);
      }
    },
    pending: () => n - out.written,
    close(completed) {
      const rows = [...seen].sort(([a, x], [b, y]) => y.messages - x.messages || (a < b ? -1 : 1));
      const width = Math.max(9, ...rows.map(([k]) => k.length));
      const show = (v: string) => JSON.stringify(v.length > 40 ? `${v.slice(0, 39)}…` : v);
      let text = `${"attribute".padEnd(width)}  ${"messages".padStart(9)}  ${"share".padStart(6)}  examples\n`;
      for (const [key, s] of rows) {
        text += `${key.padEnd(width)}  ${String(s.messages).padStart(9)}  ${`${((100 * s.messages) / n).toFixed(1)}%`.padStart(6)}  ${s.examples.map(show).join(", ")}\n`;
      }
      text += `${n} messages; time and subject are attributes of every one\n`;
      out.write(text, n);
      return out.finish(n, completed, "write to stdout failed");
    },
  };
}

export const kind = sinkKind({
  name: "keys",
  description: "at the end, every attribute name seen, how many messages had it and a few of its values (cms-nats keys)",
  config: keysConfig,
  examples: ["keys", "'keys: {examples: 5}'"],
  accepts: () => ["records"],
  stdout: () => "lines",
  create: keysSink,
});
