import { type Command, Option } from "commander";
import { type SinkSpec, type StepKind, type StepSpec, sinkFromFlag, stepFromFlag } from "../pipelines/spec.ts";
import { sinks } from "../pipelines/registry.ts";
import { steps } from "../pipelines/steps.ts";

/** What the step and sink flags of one command line said, in the order given. */
export interface PipelineFlags {
  steps: StepSpec[];
  to: SinkSpec[];
  deadLetter?: string;
}

/**
 * Adds `--parse --filter --select --stats` (applied in the order given, each repeatable), `--to`
 * (repeatable: fans out) and `--dead-letter` to a command. Values are YAML flow syntax, checked by
 * the same schemas as pipeline files; a bad one fails while the command line is read.
 */
export function addPipelineFlags(cmd: Command): PipelineFlags {
  const flags: PipelineFlags = { steps: [], to: [] };
  for (const kind of Object.keys(steps) as StepKind[]) {
    const step = steps[kind];
    cmd.addOption(
      new Option(`--${kind} <${kind === "parse" ? "format" : "yaml"}>`, `${step.description}; e.g. ${step.examples.join(", ")}`).argParser((v) => {
        flags.steps.push(stepFromFlag(kind, v));
      }),
    );
  }
  const sinkHelp = Object.entries(sinks).map(([name, k]) => `${name} (${k.description})`).join("; ");
  cmd.addOption(
    new Option("--to <sink>", `where output goes, repeatable: ${sinkHelp}; default console`).argParser((v) => {
      flags.to.push(sinkFromFlag(v));
    }),
  );
  cmd.addOption(
    new Option("--dead-letter <file>", "write messages that fail to parse to this file (recorded format)").argParser((v) => {
      flags.deadLetter = v;
    }),
  );
  return flags;
}

export const PIPELINE_EXAMPLES = `
Step values are YAML flow syntax; steps apply in the order given:
  --parse cms | json | auto | 'cms: {sep: ";"}'
  --filter 'site: "T2_*"'            glob; also /regex/, "!value", {gt, gte, lt, lte, ne, eq},
  --filter 'exitCode: {gte: 8000}'   {in: [a, b]}, {exists: true}, {not: ...}; several keys AND
  --select site,exitCode             or '[site, exitCode]', or '{newName: attribute}' to rename
  --stats '{every: 60s, by: [site], top: 10}'
  --to console | console:raw | 'console: {format: json, time: true}' | csv:out.csv | csv:-
  --to 'victoriametrics: {url: http://localhost:8428, metric: exitcodes_by_site}'
  --to 'pushgateway: {url: http://localhost:9091, job: exitcodes}'
`;
