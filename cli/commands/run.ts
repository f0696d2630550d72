import { Command } from "commander";
import { pipelineFromFile, sourceFromFlag, withDefaults } from "../../pipelines/spec.ts";
import { execute, UsageError } from "../main.ts";
import { addPipelineFlags, PIPELINE_EXAMPLES } from "../pipeline_flags.ts";

export function command(): Command {
  const cmd = new Command("run")
    .description("run a pipeline from a pipeline file (-f) or from --from and step flags")
    .option("-f, --file <pipeline.yaml>", "pipeline file: from:, steps:, to: (see pipelines/)")
    .option("--from <source>", "where messages come from: replay:FILE, stdin, 'replay: {path: FILE, speed: 1}'");
  const flags = addPipelineFlags(cmd);
  cmd
    .addHelpText(
      "after",
      `${PIPELINE_EXAMPLES}
With -f, step flags run after the file's steps and --to replaces the file's sinks.

Examples:
  cms-nats run -f pipelines/exitcodes-by-site.yaml
  cms-nats run -f pipelines/exitcodes-by-site.yaml --to csv:-
  cms-nats run --from replay:samples/exitcodes-20k.jsonl --stats '{every: 1m}' --to console:json
  printf 'site:T2_US_MIT   exitCode:8028\\n' | cms-nats run --from stdin --select site`,
    )
    .action(async (opts: { file?: string; from?: string }) => {
      if (opts.file && opts.from) throw new UsageError("give either -f FILE or --from SOURCE, not both");
      if (opts.file) {
        const spec = pipelineFromFile(opts.file);
        await execute(
          withDefaults({
            from: spec.from,
            steps: [...spec.steps, ...flags.steps],
            to: flags.to.length > 0 ? flags.to : spec.to,
            deadLetter: flags.deadLetter ?? spec.deadLetter,
          }),
        );
      } else if (opts.from) {
        await execute(withDefaults({ from: sourceFromFlag(opts.from), ...flags }));
      } else {
        throw new UsageError("say where messages come from: -f pipeline.yaml or --from SOURCE (e.g. --from replay:rec.jsonl)");
      }
    });
  return cmd;
}
