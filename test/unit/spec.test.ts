import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sinks, sources } from "../../pipelines/registry.ts";
import { pipelineFromFile, sinkFromFlag, SpecError, sourceFromFlag, stepFromFlag, withDefaults } from "../../pipelines/spec.ts";
import { steps } from "../../pipelines/steps.ts";

const plain = (v: unknown) => JSON.parse(JSON.stringify(v));

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

test("step flags read YAML flow syntax into one config shape", () => {
  assert.equal(plain(stepFromFlag("filter", 'site: "T2_*"')), { kind: "filter", config: { site: "T2_*" } });
  assert.equal(plain(stepFromFlag("filter", "exitCode: {gte: 8000}")), { kind: "filter", config: { exitCode: { gte: 8000 } } });
  assert.equal(stepFromFlag("select", "site,exitCode").config, ["site", "exitCode"]);
  assert.equal(stepFromFlag("select", "[site, exitCode]").config, ["site", "exitCode"]);
  assert.equal(plain(stepFromFlag("select", "{site: Site}").config), { site: "Site" });
  assert.equal(stepFromFlag("stats", "{every: 60s, by: [site]}").config, { every: 60_000, by: ["site"] });
  assert.equal(stepFromFlag("stats", "1m").config, { every: 60_000, by: [] });
  assert.equal(stepFromFlag("parse", "cms").config, { format: "cms", sep: "   ", keys: "camel" });
  assert.equal(stepFromFlag("parse", 'cms: {sep: ";"}').config, { format: "cms", sep: ";", keys: "camel" });
});

test("sinks and sources: kind, kind:shorthand, or {kind: config}", () => {
  assert.equal(sinkFromFlag("console"), { kind: "console", config: { format: "values", time: false, label: "" } });
  assert.equal(sinkFromFlag("console: {format: raw, time: true}"), { kind: "console", config: { format: "raw", time: true, label: "" } });
  assert.equal(sinkFromFlag("csv:out.csv"), { kind: "csv", config: { path: "out.csv", append: false } });
  assert.equal(sinkFromFlag("csv:-"), { kind: "csv", config: { path: "-", append: false } });
  assert.equal(sinkFromFlag("csv: {path: out.csv, append: true}"), { kind: "csv", config: { path: "out.csv", append: true } });
  assert.equal(sourceFromFlag("replay:rec.jsonl"), { kind: "replay", config: { path: "rec.jsonl", speed: 0 } });
});

test("a bad flag names the flag, the bad value and the expected form", () => {
  refused(() => stepFromFlag("stats", "{every: soon}"), "--stats '{every: soon}'", '"soon" is not a duration', "expected e.g.: --stats '{every: 60s, by: [site]}'");
  refused(() => stepFromFlag("stats", "{every: 1m, by: [site], topp: 3}"), "--stats", "topp");
  refused(() => sinkFromFlag("cvs:out.csv"), '--to cvs:out.csv: unknown sink "cvs"; did you mean "csv"?', "expected one of: console, csv");
  refused(() => stepFromFlag("filter", "site: !T2_CH_CERN"), "--filter", "quote values that start with");
  refused(() => stepFromFlag("filter", "exitCode: {gte: [1]}"), "exitCode.gte", "(got [1])");
  refused(() => stepFromFlag("filter", "site: /(a+)+$/"), "site", "exponential");
  refused(() => stepFromFlag("filter", "{site: T2, site: T1}"), "--filter", "YAML");
  refused(() => stepFromFlag("parse", "xml"), "--parse xml", "format", '"xml"');
  refused(() => sinkFromFlag("console: {format: fancy}"), "--to", '"fancy"', "console:raw");
  refused(() => stepFromFlag("select", "[]"), "--select", "expected e.g.");
});

test("pipeline files: same grammar, errors name the file and the path", () => {
  const dir = mkdtempSync(join(tmpdir(), "spec-"));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const spec = pipelineFromFile(file("ok.yaml", "from: replay:x.jsonl\nsteps:\n  - filter: {site: T2_*}\n  - select: [site]\nto: csv:-\n"));
  assert.equal(spec.steps.map((s) => s.kind), ["filter", "select"]);
  assert.equal(withDefaults(spec).steps.map((s) => s.kind), ["parse", "filter", "select"]);
  refused(() => pipelineFromFile(file("bad.yaml", "from: replay:x.jsonl\nsteps:\n  - parse\n  - stats: {every: 0s}\n")), "bad.yaml: steps[1]", "duration");
  refused(() => pipelineFromFile(file("nofrom.yaml", "steps: []\n")), "from: is missing");
  refused(() => pipelineFromFile(file("key.yaml", "from: stdin\nsink: console\n")), "key.yaml: sink", "unknown key");
  refused(() => pipelineFromFile(join(dir, "missing.yaml")), "cannot read");
  const noStats = pipelineFromFile(file("nostats.yaml", "from: stdin\nto: pushgateway:http://localhost:9091\n"));
  refused(() => withDefaults(noStats), "--to pushgateway", "add a stats step");
});

test("every shipped pipeline file and every documented example is accepted", () => {
  const dir = new URL("../../pipelines/", import.meta.url).pathname;
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".yaml"))) pipelineFromFile(join(dir, name));
  const unquote = (e: string) => e.replace(/^'(.*)'$/s, "$1");
  for (const [kind, step] of Object.entries(steps)) for (const e of step.examples) stepFromFlag(kind as keyof typeof steps, unquote(e));
  for (const kind of Object.values(sinks)) for (const e of kind.examples) sinkFromFlag(unquote(e));
  for (const kind of Object.values(sources)) for (const e of kind.examples) sourceFromFlag(unquote(e));
});

test.run();
