import { closeSync, openSync, readSync } from "node:fs";
import { parse as parseCsv } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import * as z from "zod";
import type { Attrs, Message } from "../lib/message.ts";
import { dashIsStdout, fileFields, fileOutputs, LineWriter } from "./line_writer.ts";
import { type Sink, type SinkContext, sinkKind } from "./sink.ts";

export const csvConfig = z.strictObject(fileFields("out.csv", "add rows to an existing file, under its own header (written when the file is new or empty)"));
export type CsvConfig = z.infer<typeof csvConfig>;

/**
 * Writes one CSV row per message (RFC 4180 quoting, by csv-stringify) under a header row.
 *
 * Columns: those of an existing file when appending, else the ones the pipeline declares (`select`
 * or `stats`), else the first message's attributes in order. An attribute outside the columns is
 * reported once and not written: the columns of a file never change halfway. Rows are formatted a
 * batch at a time when the writer flushes: by csv-stringify/sync, unless no field of the batch needs
 * quoting (then they are joined here).
 */
export function csvSink(config: CsvConfig, ctx: SinkContext): Sink {
  const name = `csv ${config.path}`;
  const existing = config.append && config.path !== "-" ? existingHeader(config.path) : undefined;
  let columns: string[] | undefined = existing ?? (ctx.columns && [...ctx.columns]);
  let known: Set<string> | undefined;
  const out = new LineWriter<Attrs>(name, { path: config.path, append: config.append, stdout: ctx.stdout }, (rows, first) => {
    const keys = columns ?? [];
    const header = first && existing === undefined;
    const plain = plainLines(rows, keys);
    if (plain !== undefined) return (header ? stringify([], { header, columns: keys }) : "") + plain;
    // rows go to csv-stringify as arrays in column order: given objects, it looks up each field with a
    // lodash-style path get (regex tests per field), which cost a third of its time (measured)
    return stringify(
      rows.map((row) => keys.map((key) => row[key])),
      { header, columns: keys, cast: { number: String } },
    );
  });
  let n = 0;
  return {
    name,
    write(msg: Message) {
      if (out.error) throw out.error;
      const row = msg.attrs ?? { time: new Date(msg.time).toISOString(), subject: msg.subject, data: msg.data };
      columns ??= Object.keys(row);
      known ??= new Set(columns);
      for (const key in row) {
        if (!known.has(key)) {
          known.add(key);
          ctx.warn(`${name}: attribute "${key}" is not one of the columns (${columns.join(", ")}); left out. Choose the columns with --select.`);
        }
      }
      out.write(row, 1, msg.receipts);
      n++;
    },
    pending: () => out.unwritten,
    behind: () => out.behind(),
    close: (completed) => out.finish(n, completed && columns !== undefined),
  };
}

/** What makes csv-stringify quote a field (RFC 4180): a comma, a quote or a line break. */
const QUOTED = /[",\r\n]/;

/**
 * The CSV lines of rows whose fields csv-stringify would write as they are (text without a comma,
 * quote or line break, numbers, missing values), or undefined when a field needs it: joining them
 * here takes 0.26 µs a row where csv-stringify takes 1 µs (measured on the replay bench's 81k stats
 * rows, its main thread's largest cost). The same text as csv-stringify's (test/unit/sinks/csv.fuzz.test.ts).
 */
function plainLines(rows: readonly Attrs[], keys: readonly string[]): string | undefined {
  let text = "";
  for (const row of rows) {
    for (let i = 0; i < keys.length; i++) {
      const v = row[keys[i]];
      let field: string;
      if (typeof v === "string") {
        if (QUOTED.test(v)) return undefined;
        field = v;
      } else if (typeof v === "number") field = String(v);
      else if (v === undefined) field = "";
      else return undefined;
      text += i === 0 ? field : "," + field;
    }
    text += "\n";
  }
  return text;
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

export const kind = sinkKind({
  name: "csv",
  description: "CSV file (or stdout) with a header row; RFC 4180 quoting",
  config: csvConfig,
  shorthand: "path",
  examples: ["csv:out.csv", "csv:-", "'csv: {path: out.csv, append: true}'"],
  accepts: () => ["records", "windows"],
  outputs: fileOutputs,
  stdout: dashIsStdout,
  create: csvSink,
});
