import { closeSync, openSync, readSync } from "node:fs";
import { parse as parseCsv } from "csv-parse/sync";
import { stringify } from "csv-stringify";
import { z } from "zod";
import type { Message } from "../operators/message.ts";
import { LineWriter } from "./line_writer.ts";
import type { Sink, SinkContext, SinkResult } from "./sink.ts";

export const csvConfig = z.strictObject({
  path: z.string().min(1).describe('file to write, "-" for stdout'),
  append: z
    .boolean()
    .default(false)
    .describe("add rows to an existing file, under its own header (written when the file is new or empty)"),
});
export type CsvConfig = z.infer<typeof csvConfig>;

/**
 * Writes one CSV row per message (RFC 4180 quoting, by csv-stringify) under a header row.
 *
 * Columns: those of an existing file when appending, else the ones the pipeline declares (`select`
 * or `stats`), else the first message's attributes in order. An attribute outside the columns is
 * reported once and not written: the columns of a file never change halfway.
 */
export function csvSink(config: CsvConfig, ctx: SinkContext): Sink {
  const name = `csv ${config.path}`;
  const existing = config.append && config.path !== "-" ? existingHeader(config.path) : undefined;
  const out = LineWriter.open(name, config.path, ctx.stdout, config.append);
  let columns: string[] | undefined = existing ?? (ctx.columns && [...ctx.columns]);
  let known: Set<string>;
  let csv: ReturnType<typeof stringify> | undefined;
  let n = 0;

  const start = (first?: Message) => {
    columns ??= first?.attrs ? Object.keys(first.attrs) : ["time", "subject", "data"];
    known = new Set(columns);
    csv = stringify({ header: existing === undefined, columns, cast: { number: String } });
    // rows stringified so far, so each chunk of text says how many messages it holds (the header none)
    let rows = 0;
    let handed = 0;
    csv.on("record", () => rows++);
    csv.on("data", (chunk: Buffer) => {
      out.write(chunk.toString(), rows - handed);
      handed = rows;
    });
    return csv;
  };

  return {
    name,
    write(msg) {
      if (out.error) throw out.error;
      const stream = csv ?? start(msg);
      const row = msg.attrs ?? { time: new Date(msg.time).toISOString(), subject: msg.subject, data: msg.data };
      for (const key in row) {
        if (!known.has(key)) {
          known.add(key);
          ctx.warn(`${name}: attribute "${key}" is not one of the columns (${columns!.join(", ")}); left out. Choose the columns with --select.`);
        }
      }
      stream.write(row);
      n++;
    },
    pending: () => n - out.written,
    async close(): Promise<SinkResult> {
      if (!csv && columns) start(); // no rows: the header still says what the columns are
      if (csv) {
        const ended = new Promise((resolve, reject) => csv!.on("end", resolve).on("error", reject));
        csv.end();
        await ended; // every row has reached the writer
      }
      return out.finish(name, n);
    },
  };
}

/** The header of a non-empty CSV file, or undefined when the file is new or empty. */
function existingHeader(path: string): string[] | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return undefined; // a new file: the writer creates it (or says why it cannot)
  }
  const buf = Buffer.alloc(64 * 1024);
  const n = readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  const head = buf.subarray(0, n).toString("utf8").split("\n", 1)[0];
  if (head.trim() === "") return undefined;
  return parseCsv(head, { to_line: 1 })[0] as string[];
}
