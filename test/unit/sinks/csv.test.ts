import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { csvConfig, csvSink } from "../../../sinks/csv.ts";
import { msg } from "../../support/marbles.ts";
import { tempDir } from "../../support/process.ts";
import { sinkContext } from "../../support/sinks.ts";

const dir = tempDir("csv");

test("columns from the first record; an attribute outside them is reported once and left out", async () => {
  const path = join(dir.path, "first.csv");
  const ctx = sinkContext();
  const sink = csvSink(csvConfig.parse({ path }), ctx);
  sink.write(msg(0, { site: "A", exitCode: "1" }));
  sink.write(msg(1, { site: "B", exitCode: "2", campaign: "C" }));
  sink.write(msg(2, { site: "C", campaign: "D" }));
  await sink.close(true);
  assert.is(readFileSync(path, "utf8"), "site,exitCode\nA,1\nB,2\nC,\n");
  assert.equal(ctx.warnings, [`csv ${path}: attribute "campaign" is not one of the columns (site, exitCode); left out. Choose the columns with --select.`]);
});

test("the columns the pipeline declares: a header even with no rows, when the run completed; no file after a failure", async () => {
  const path = join(dir.path, "empty.csv");
  await csvSink(csvConfig.parse({ path }), sinkContext({ columns: ["site", "count"] })).close(false);
  assert.not.ok(existsSync(path), "a failed run leaves no file");
  await csvSink(csvConfig.parse({ path }), sinkContext({ columns: ["site", "count"] })).close(true);
  assert.is(readFileSync(path, "utf8"), "site,count\n");
});

test("append: rows go under the existing file's header, in its column order", async () => {
  const path = join(dir.path, "append.csv");
  writeFileSync(path, "exitCode,site\n1,A\n");
  const sink = csvSink(csvConfig.parse({ path, append: true }), sinkContext({ columns: ["site", "exitCode"] }));
  sink.write(msg(0, { site: "B", exitCode: "2" }));
  await sink.close(true);
  assert.is(readFileSync(path, "utf8"), "exitCode,site\n1,A\n2,B\n");
});

test.after(() => dir.remove());

test.run();
