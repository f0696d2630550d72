import * as z from "zod";
import { toRecordLine } from "../formats/record_line.ts";
import type { Message } from "../lib/message.ts";
import { dashIsStdout, fileFields, fileOutputs, LineWriter } from "./line_writer.ts";
import { type Sink, type SinkContext, sinkKind } from "./sink.ts";

export const recordConfig = z.strictObject(fileFields("rec.jsonl", "add to an existing recording instead of refusing it"));
export type RecordConfig = z.infer<typeof recordConfig>;

/**
 * Writes messages in the recorded file format (JSON Lines, samples/README.md), which `replay` reads
 * back; a stats window row is written as its columns (a JSON object in `data`, subject `stats`).
 * Lines are written whole, so a recording cut short is still a valid file.
 */
export function recordSink(config: RecordConfig, ctx: SinkContext): Sink {
  const name = `record ${config.path}`;
  const out = new LineWriter<Message>(name, { path: config.path, append: config.append, stdout: ctx.stdout }, (msgs) => {
    let text = "";
    for (const m of msgs) text += toRecordLine(m) + "\n";
    return text;
  });
  let n = 0;
  return {
    name,
    write(msg) {
      if (out.error) throw out.error;
      n++;
      out.write(msg, 1, msg.receipts);
    },
    pending: () => out.unwritten,
    behind: () => out.behind(),
    close: (completed) => out.finish(n, completed),
  };
}

export const kind = sinkKind({
  name: "record",
  description: "the recorded file format (JSON Lines) that replay reads back",
  config: recordConfig,
  shorthand: "path",
  examples: ["record:rec.jsonl", "'record: {path: rec.jsonl, append: true}'"],
  accepts: () => ["payloads", "records", "windows"],
  outputs: fileOutputs,
  stdout: dashIsStdout,
  create: recordSink,
});
