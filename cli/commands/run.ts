import { Command } from "commander";
import { pipelineFromFile, sourceFromFlag } from "../../pipelines/spec.ts";
import { execute } from "../main.ts";
import { UsageError } from "../usage_error.ts";
import { addPipelineFlags, PIPELINE_EXAMPLES, withFileFlags } from "../pipeline_flags.ts";

export const EXAMPLES = [
  "cms-nats run -f pipelines/exitcodes-by-site.yaml --force",
  "cms-nats run -f pipelines/exitcodes-by-site.yaml --to csv:-",
  "cms-nats run --from replay:samples/exitcodes-20k.jsonl --stats '{every: 1m}' --to console:json",
  "printf 'site:T2_US_MIT   exitCode:8028\\n' | cms-nats run --from stdin --select site",
];

export function command(): Command {
  const cmd = new Command("run")
    .description("run a pipeline from a pipeline file (-f) or from --from and step flags")
    .option("-f, --file <pipeline.yaml>", "pipeline file: from:, steps:, to: (see pipelines/)")
    .option("--from <source>", "where messages come from: replay:FILE, stdin, 'nats: {subject: ..., servers: ...}' (cms-nats docs lists them)")
    .option("--quiet", "no progress line on the terminal (it is shown only when stderr is a terminal)");
  const flags = addPipelineFlags(cmd);
  cmd
    .addHelpText("after", `${PIPELINE_EXAMPLES}\nWith -f, step flags run after the file's steps and --to replaces the file's sinks.\n\nExamples:\n${EXAMPLES.map((e) => `  ${e}`).join("\n")}`)
    .action(async (opts: { file?: string; from?: string; quiet?: boolean }) => {
      if (opts.file && opts.from) throw new UsageError("give either -f FILE or --from SOURCE, not both");
      if (opts.file) {
        const spec = pipelineFromFile(opts.file);
        process.exitCode = await execute(withFileFlags({ ...spec, steps: [...spec.steps, ...flags.steps], to: flags.to.length > 0 ? flags.to : spec.to }, flags), { progress: !opts.quiet });
      } else if (opts.from) {
        process.exitCode = await execute(withFileFlags({ from: sourceFromFlag(opts.from), steps: flags.steps, to: flags.to }, flags), { progress: !opts.quiet });
      } else {
        throw new UsageError("say where messages come from: -f pipeline.yaml or --from SOURCE (e.g. --from replay:rec.jsonl)");
      }
    });
  return cmd;
}
