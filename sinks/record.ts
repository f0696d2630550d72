import { z } from "zod";
import { toRecordLine } from "../operators/message.ts";
import { LineWriter } from "./line_writer.ts";
import { type Sink, type SinkContext, SinkError, type SinkResult } from "./sink.ts";

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
  let out: LineWriter;
  try {
    out = LineWriter.open(config.path, ctx.stdout, config.append);
  } catch (err) {
    throw new SinkError(name, `cannot open for writing: ${(err as Error).message}`, { cause: err });
  }
  let n = 0;
  return {
    name,
    write(msg) {
      if (out.error) throw out.error;
      n++;
      out.write(toRecordLine(msg) + "\n");
    },
    pending: () => out.unwritten,
    async close(): Promise<SinkResult> {
      try {
        await out.close();
      } catch (err) {
        const result = { delivered: out.written, dropped: n - out.written };
        throw new SinkError(name, `write failed: ${(err as Error).message}`, { cause: err, result });
      }
      return { delivered: n, dropped: 0 };
    },
  };
}
