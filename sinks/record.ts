import { z } from "zod";
import { toRecordLine } from "../operators/message.ts";
import { LineWriter } from "./line_writer.ts";
import type { Sink, SinkContext } from "./sink.ts";

export const recordConfig = z.strictObject({
  path: z.string().min(1).describe('file to write, "-" for stdout'),
  append: z.boolean().default(false).describe("add to an existing file instead of replacing it"),
});
export type RecordConfig = z.infer<typeof recordConfig>;

/**
 * Writes messages in the recorded file format (JSON Lines, samples/README.md), which `replay` reads
 * back. Lines are written whole, so a recording cut short is still a valid file.
 */
export function recordSink(config: RecordConfig, ctx: SinkContext): Sink {
  const name = `record ${config.path}`;
  const out = LineWriter.open(name, config.path, ctx.stdout, config.append);
  let n = 0;
  return {
    name,
    write(msg) {
      if (out.error) throw out.error;
      n++;
      out.write(toRecordLine(msg) + "\n");
    },
    pending: () => out.unwritten,
    close: () => out.finish(name, n),
  };
}
