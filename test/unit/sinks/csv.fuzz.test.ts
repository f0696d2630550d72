/** Property-based test of the CSV sink's text: the same as csv-stringify's for any rows, whether the sink joins them itself or hands them to it. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { newAttrs } from "../../../lib/message.ts";
import { csvConfig, csvSink } from "../../../sinks/csv.ts";
import { msg } from "../../support/marbles.ts";
import { tempDir } from "../../support/process.ts";
import { sinkContext } from "../../support/sinks.ts";
import { check } from "../../support/fuzz.ts";

const dir = tempDir("csv-fuzz");
let run = 0;

// texts drawn mostly from what needs no quoting, with the characters that do (and look-alikes) mixed in
const text = fc.string({ unit: fc.constantFrom("a", "T2_US_MIT", " ", "-", "1", ".", "é", "\t", ",", '"', "\n", "\r", ";", "'"), maxLength: 6 });
const value = fc.oneof(text, text, fc.integer(), fc.double(), fc.constant(undefined));
// a column name that needs quoting too: the header goes through csv-stringify
const KEYS = ["site", "count", "a,b"];

test("any rows: the file is csv-stringify's text of them, with its header", async () => {
  await check(
    fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.array(fc.array(value, { minLength: 3, maxLength: 3 }), { maxLength: 8 }), async (width, values) => {
      const keys = KEYS.slice(3 - width);
      const path = join(dir.path, `${run++}.csv`);
      const sink = csvSink(csvConfig.parse({ path }), sinkContext({ columns: keys }));
      for (const [i, row] of values.entries()) {
        const attrs = newAttrs();
        keys.forEach((k, j) => row[j] !== undefined && (attrs[k] = row[j]!));
        sink.write({ ...msg(i, {}), attrs });
      }
      await sink.close(true);
      const expected = stringify(values.map((row) => keys.map((_, j) => row[j])), { header: true, columns: keys, cast: { number: String } });
      assert.is(readFileSync(path, "utf8"), expected);
    }),
    300,
  );
});

test.after(() => dir.remove());

test.run();
