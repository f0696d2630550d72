import { type Command, Option } from "commander";
import { sinks, steps } from "../pipelines/registry.ts";
import { type PipelineSpec, type SinkSpec, type StepName, type StepSpec, sinkFromFlag, stepFromFlag } from "../pipelines/spec.ts";

/** What the step and sink flags of one command line said, in the order given. */
export interface PipelineFlags {
  steps: StepSpec[];
  to: SinkSpec[];
  deadLetter?: string;
  force: boolean;
}

/**
 * Adds the step flags (one per step kind: `--parse --filter --select --stats`, applied in the order
 * given, each repeatable), `--to` (repeatable: fans out), `--dead-letter` and `--force` to a
 * command. Values are YAML flow syntax, checked by the same schemas as pipeline files; a bad one
 * fails while the command line is read.
 */
export function addPipelineFlags(cmd: Command): PipelineFlags {
  const flags: PipelineFlags = { steps: [], to: [], force: false };
  for (const [name, step] of Object.entries(steps)) {
    const value = name === "parse" ? "format" : "yaml";
    cmd.addOption(
      new Option(`--${name} <${value}>`, `${step.description}; e.g. ${step.examples.slice(0, 3).join(", ")}`).argParser((v) => {
        flags.steps.push(stepFromFlag(name as StepName, v));
      }),
    );
  }
  const sinkHelp = Object.values(sinks).map((k) => k.name).join(", ");
  cmd.addOption(
    new Option("--to <sink>", `where output goes, repeatable (${sinkHelp}; cms-nats docs lists them); default console`).argParser((v) => {
      flags.to.push(sinkFromFlag(v));
    }),
  );
  cmd.addOption(
    new Option("--dead-letter <file>", "write messages that fail to parse to this file (recorded format)").argParser((v) => {
      flags.deadLetter = v;
    }),
  );
  cmd.addOption(
    new Option("--force", "replace output files that are not empty (without it they are refused and left as they are)").argParser(() => {
      flags.force = true;
    }),
  );
  return flags;
}

/** The spec's sinks and dead-letter file as `--force` and `--dead-letter` say. */
export function withFileFlags(spec: PipelineSpec, flags: PipelineFlags): PipelineSpec {
  const overwrite = (s: SinkSpec): SinkSpec => (flags.force && "overwrite" in s.config ? ({ ...s, config: { ...s.config, overwrite: true } } as SinkSpec) : s);
  const dead = flags.deadLetter ?? spec.deadLetter?.path;
  return {
    ...spec,
    to: spec.to.map(overwrite),
    ...(dead !== undefined ? { deadLetter: { path: dead, overwrite: flags.force } } : {}),
  };
}

export const PIPELINE_EXAMPLES = `
Step values are YAML flow syntax; steps apply in the order given (cms-nats docs KIND shows every field):
  --parse cms | json | auto | 'cms: {sep: ";"}'
  --filter 'site: "T2_*"'            glob; also /regex/, "!value", {gt, gte, lt, lte, ne, eq},
  --filter 'exitCode: {gte: 8000}'   {in: [a, b]}, {exists: true}, {not: ...}; several keys AND
  --select site,exitCode             or '[site, exitCode]', site:Site to rename, '{newName: attribute}'
  --stats '{every: 60s, by: [site], top: 10}'
  --to console | console:raw | 'console: {format: json, time: true}' | csv:out.csv | csv:-
  --to 'victoriametrics: {url: http://localhost:8428, metric: exitcodes_by_site}'
  --to 'pushgateway: {url: http://localhost:9091, job: exitcodes}'
`;
