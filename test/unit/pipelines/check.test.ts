import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { planPipeline } from "../../../pipelines/check.ts";
import { type PipelineSpec, sinkFromFlag, SpecError, sourceFromFlag, stepFromFlag } from "../../../pipelines/spec.ts";
import { SinkError } from "../../../sinks/sink.ts";
import { tempDir } from "../../support/process.ts";

const dir = tempDir("check");
const input = join(dir.path, "in.jsonl");
writeFileSync(input, '{"time":0,"subject":"s","data":"a:1"}\n');
const from = sourceFromFlag(`replay:${input}`);
const spec = (steps: string[][], to: string[] = []): PipelineSpec => ({
  from,
  steps: steps.map(([k, v]) => stepFromFlag(k as "filter", v)),
  to: to.map(sinkFromFlag),
});

function refused(s: PipelineSpec, ...parts: string[]) {
  try {
    planPipeline(s);
  } catch (err) {
    assert.instance(err, SpecError);
    for (const part of parts) assert.ok((err as Error).message.includes(part), `"${(err as Error).message}" lacks "${part}"`);
    return;
  }
  assert.unreachable("accepted");
}

test("parse is added first when a step or a sink needs attributes, and only then; output goes to the console by default", () => {
  assert.equal(planPipeline(spec([["filter", "site: x"]])).spec.steps.map((s) => s.kind), ["parse", "filter"]);
  assert.equal(planPipeline(spec([])).spec.to.map((s) => s.kind), ["console"]);
  assert.equal(planPipeline(spec([])).spec.steps.map((s) => s.kind), ["parse"], "console values shows attributes");
  assert.equal(planPipeline(spec([], ["console:raw"])).spec.steps, [], "raw shows every message as received");
  assert.equal(planPipeline(spec([], [`record:${join(dir.path, "copy.jsonl")}`])).spec.steps, [], "a copy keeps malformed payloads too");
});

test("steps in an order that cannot work are refused, naming both", () => {
  refused(spec([["filter", 'site: "T2_*"'], ["parse", "auto"]]), `--filter 'site: "T2_*"'`, "comes before any parse step");
  refused(spec([["select", "site"], ["parse", "auto"]]), "--select site", "comes before any parse step");
  refused(spec([["parse", "auto"], ["parse", "json"]]), "--parse json", "parsed already (by --parse auto)");
  refused(spec([["stats", "1m"], ["select", "count"]]), "--select count", "after --stats 1m it gets stats window rows");
  refused(spec([], ["console:counts"]), "--to console:counts", "takes stats window rows", "add a stats step");
  refused(spec([], ["pushgateway:http://localhost:9091"]), "--to pushgateway", "add a stats step");
  planPipeline(spec([["stats", "1m"], ["filter", "count: {gt: 1}"]], ["console:counts"])); // rows can be filtered
});

test("what each step sees: after select or stats only their attributes; the sinks' columns", () => {
  const plan = planPipeline(spec([["select", "Site,code:ExitCode"], ["filter", "site: x"]]));
  assert.equal(plan.steps[2].scope.names, ["Site", "code"]);
  assert.equal(plan.output.scope, { keys: "camel", names: ["Site", "code"], closed: true });
  const stats = planPipeline(spec([["stats", "{every: 1m, by: [site], distinct: [campaign]}"]]));
  assert.equal(stats.output.scope.names, ["window_start", "window_end", "site", "count", "distinct_campaign"]);
});

test("an output that is the input is refused, however it is named; one file written twice too", () => {
  symlinkSync(input, join(dir.path, "link.jsonl"));
  refused(spec([], [`record:${input}`]), "is the input");
  refused(spec([], [`record:${join(dir.path, "link.jsonl")}`]), "is the input");
  refused(spec([], [`record:${dir.path}/./in.jsonl`]), "is the input");
  refused({ ...spec([]), deadLetter: { path: input, overwrite: true } }, "--dead-letter", "is the input");
  refused(spec([], ["csv:" + join(dir.path, "x.csv"), "record:" + join(dir.path, "x.csv")]), "is written by --to csv:");
});

test("a non-empty file is not replaced unless asked (overwrite, --force) or appended to; an empty one may be", () => {
  const precious = join(dir.path, "precious.csv");
  writeFileSync(precious, "keep me\n");
  refused(spec([], [`csv:${precious}`]), "precious.csv exists and is not empty (8 bytes)", "add --force");
  refused(spec([], [`record:${precious}`]), "exists and is not empty");
  refused({ ...spec([]), deadLetter: { path: precious, overwrite: false } }, "--dead-letter");
  planPipeline(spec([], [`{csv: {path: "${precious}", overwrite: true}}`]));
  planPipeline(spec([], [`{csv: {path: "${precious}", append: true}}`]));
  writeFileSync(join(dir.path, "empty.csv"), "");
  planPipeline(spec([], [`csv:${join(dir.path, "empty.csv")}`]));
});

test("a path that cannot be written is a runtime failure before anything runs", () => {
  mkdirSync(join(dir.path, "adir"));
  for (const [path, why] of [[join(dir.path, "no/such/dir/out.csv"), "ENOENT: no such directory"], [join(dir.path, "adir"), "EISDIR"]]) {
    try {
      planPipeline(spec([], [`csv:${path}`]));
      assert.unreachable("accepted");
    } catch (err) {
      assert.instance(err, SinkError);
      assert.match((err as Error).message, `csv ${path}: cannot open for writing: ${why}`);
    }
  }
});

test.after(() => dir.remove());

test.run();
