import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sinks, sources, steps } from "../../../pipelines/registry.ts";
import { fromFlags, pipelineFromFile, sinkFromFlag, sinkOf, SpecError, sourceFromFlag, stepFromFlag } from "../../../pipelines/spec.ts";
import { kind as record } from "../../../sinks/record.ts";

const plain = (v: unknown) => JSON.parse(JSON.stringify(v));
const config = (c: { config: unknown }) => plain(c.config);

function refused(fn: () => unknown, ...parts: string[]) {
  try {
    fn();
  } catch (err) {
    assert.instance(err, SpecError);
    for (const part of parts) assert.ok((err as Error).message.includes(part), `"${(err as Error).message}" lacks "${part}"`);
    return;
  }
  assert.unreachable("accepted");
}

test("step flags read YAML flow syntax into one config shape, and remember where they were written", () => {
  assert.equal(plain(stepFromFlag("filter", 'site: "T2_*"')), { kind: "filter", config: { site: "T2_*" }, where: `--filter 'site: "T2_*"'` });
  assert.equal(config(stepFromFlag("filter", "exitCode: {gte: 8000}")), { exitCode: { gte: 8000 } });
  for (const text of ["site,exitCode", "[site, exitCode]"]) assert.equal(config(stepFromFlag("select", text)), { attributes: [["site", "site"], ["exitCode", "exitCode"]], order: "given" });
  for (const text of ["site:Site,code:ExitCode", "{site: Site, code: ExitCode}"]) assert.equal(config(stepFromFlag("select", text)), { attributes: [["site", "Site"], ["code", "ExitCode"]], order: "given" });
  assert.equal(config(stepFromFlag("stats", "{every: 60s, by: [site]}")), { every: 60_000, by: ["site"] });
  assert.equal(config(stepFromFlag("stats", "1m")), { every: 60_000, by: [] });
  assert.equal(config(stepFromFlag("stats", "{every: all, by: site, top: 5}")), { every: "all", by: ["site"], top: 5 });
  assert.equal(config(stepFromFlag("parse", "cms")), { format: "cms", sep: "   ", keys: "camel", malformed: "drop" });
  assert.equal(config(stepFromFlag("parse", 'cms: {sep: ";"}')), { format: "cms", sep: ";", keys: "camel", malformed: "drop" });
});

test("sinks and sources: kind, kind:shorthand, or {kind: config}; a sink may have steps of its own", () => {
  assert.equal(config(sinkFromFlag("console")), { format: "values", time: false, label: "", measure: "count" });
  assert.equal(config(sinkFromFlag("console: {format: raw, time: true}")), { format: "raw", time: true, label: "", measure: "count" });
  assert.equal(config(sinkFromFlag("csv:out.csv")), { path: "out.csv", append: false, overwrite: false });
  assert.equal(config(sinkFromFlag("csv: {path: out.csv, append: true}")), { path: "out.csv", append: true, overwrite: false });
  assert.equal(config(sourceFromFlag("replay:rec.jsonl")), { path: ["rec.jsonl"], speed: 0, threads: "auto" });
  const branch = sinkFromFlag("{pushgateway: {url: 'http://h:9091'}, steps: [{stats: 10s}]}");
  assert.equal([branch.kind, branch.steps?.map((s) => s.kind)], ["pushgateway", ["stats"]]);
});

test("a bad flag names the flag, the bad value and the expected form in plain words", () => {
  refused(() => stepFromFlag("stats", "{every: soon}"), "--stats '{every: soon}'", '"soon" is not a duration', "expected e.g.: --stats '{every: 60s, by: [site]}'");
  refused(() => stepFromFlag("stats", "{by: [site]}"), "every is required", "e.g. every: 60s");
  // no space after a colon: YAML reads one key with no value
  refused(() => stepFromFlag("stats", "{every:60s, by: [site]}"), "--stats '{every:60s, by: [site]}'", '"every:60s" is read as one key with no value', "write every: 60s");
  refused(() => stepFromFlag("filter", "{site:T2_*}"), '"site:T2_*" is read as one key', "write site: T2_*");
  refused(() => sourceFromFlag("{nats: {subject:cms.>}}"), '"subject:cms.>" is read as one key');
  refused(() => stepFromFlag("stats", "{every: 1m, by: [site], topp: 3}"), "--stats", "topp", "did you mean top?");
  refused(() => sinkFromFlag("cvs:out.csv"), '--to cvs:out.csv: unknown sink "cvs"; did you mean "csv"?', "expected one of: console, csv");
  refused(() => stepFromFlag("filter", "site: !T2_CH_CERN"), "--filter", "quote values that start with");
  refused(() => stepFromFlag("filter", "exitCode: {gte: [1]}"), "exitCode.gte", "(got [1])");
  refused(() => stepFromFlag("filter", "site: /(a+)+$/"), "site", "exponential");
  refused(() => stepFromFlag("filter", "{site: T2, site: T1}"), "--filter", "YAML");
  refused(() => stepFromFlag("parse", "xml"), "--parse xml", "format", "one of auto, cms, json", '"xml"');
  refused(() => sinkFromFlag("console: {format: fancy}"), "--to", '"fancy"', "console:raw");
  refused(() => stepFromFlag("select", "[]"), "--select", "needs at least 1 entry");
  refused(() => stepFromFlag("stats", "{every: 1m, count_if: {failed: {exitCode: {nee: 0}}}}"), "count_if.failed.exitCode", "a condition as --filter takes it");
});

test("typed builders: an error names the flag the user typed and its value, with an example of that flag", () => {
  refused(() => sinkOf("record", { path: "", append: false }, "-o", { path: "-o" }), "-o '': must not be empty", "e.g. -o rec.jsonl");
  refused(() => fromFlags(record.config, { path: "x", append: "yes" }, { append: "--append" }, "record"), "--append yes: expected true or false");
  refused(() => sinkOf("console", { format: "fancy" }, "-format", { format: "-format" }), "-format fancy: expected one of values, raw, json, counts");
});

test("pipeline files: same grammar, errors name the file and the path", () => {
  const dir = mkdtempSync(join(tmpdir(), "spec-"));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const spec = pipelineFromFile(file("ok.yaml", "from: replay:x.jsonl\nsteps:\n  - filter: {site: T2_*}\n  - select: [site]\nto: csv:-\n"));
  assert.equal(spec.steps.map((s) => [s.kind, s.where]), [["filter", `${dir}/ok.yaml: steps[0]`], ["select", `${dir}/ok.yaml: steps[1]`]]);
  refused(() => pipelineFromFile(file("bad.yaml", "from: replay:x.jsonl\nsteps:\n  - parse\n  - stats: {every: 0s}\n")), "bad.yaml: steps[1]", "duration");
  refused(() => pipelineFromFile(file("nofrom.yaml", "steps: []\n")), "from: is missing");
  refused(() => pipelineFromFile(file("key.yaml", "from: stdin\nsink: console\n")), "key.yaml: sink", "unknown key");
  refused(() => pipelineFromFile(file("joined.yaml", "from: stdin\nsteps:\n  - filter: {exitCode:0}\nto: console\n")), "joined.yaml", '"exitCode:0" is read as one key', "write exitCode: 0");
  refused(() => pipelineFromFile(join(dir, "missing.yaml")), "cannot read");
});

test("every shipped pipeline file and every documented example of every kind is accepted", () => {
  const dir = new URL("../../../pipelines/", import.meta.url).pathname;
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".yaml"))) pipelineFromFile(join(dir, name));
  const unquote = (e: string) => e.replace(/^'(.*)'$/s, "$1").replace(/^"(.*)"$/s, "$1");
  for (const [kind, step] of Object.entries(steps)) for (const e of step.examples) stepFromFlag(kind as keyof typeof steps, unquote(e));
  for (const kind of Object.values(sinks)) for (const e of kind.examples) sinkFromFlag(unquote(e));
  for (const kind of Object.values(sources)) for (const e of kind.examples) sourceFromFlag(unquote(e));
});

test.run();
