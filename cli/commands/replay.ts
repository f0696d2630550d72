import { Command } from "commander";
import { sourceSpec, withDefaults } from "../../pipelines/spec.ts";
import { execute } from "../main.ts";
import { addPipelineFlags, PIPELINE_EXAMPLES } from "../pipeline_flags.ts";

export function command(): Command {
  const cmd = new Command("replay")
    .description("replay a recorded file through the pipeline steps into the sinks")
    .argument("<file>", "recorded file (JSON Lines: time, subject, data)")
    .option("--speed <n>", "0: as fast as possible; 1: recorded pace; N: N times faster", "0");
  const flags = addPipelineFlags(cmd);
  cmd
    .addHelpText(
      "after",
      `${PIPELINE_EXAMPLES}
Examples:
  cms-nats replay samples/exitcodes-20k.jsonl --stats '{every: 60s, by: [site]}' --to csv:out.csv
  cms-nats replay samples/exitcodes-20k.jsonl --filter 'site: "T2_*"' --filter 'exitCode: {gte: 8000}' \\
      --select site,exitCode,campaign --to csv:-
  cms-nats replay samples/mixed-malformed.jsonl --to console:raw --dead-letter bad.jsonl`,
    )
    .action(async (file: string, opts: { speed: string }) => {
      const from = sourceSpec({ replay: { path: file, speed: Number(opts.speed) } }, "--speed");
      await execute(withDefaults({ from, ...flags }));
    });
  return cmd;
}
