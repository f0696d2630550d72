import { Command } from "commander";
import { sinkOf, sourceFromFlag, sourceOf } from "../../pipelines/spec.ts";
import { execute } from "../main.ts";
import { addPipelineFlags } from "../pipeline_flags.ts";
import { UsageError } from "../usage_error.ts";

export const EXAMPLES = [
  "cms-nats keys samples/exitcodes-20k.jsonl",
  "cms-nats keys samples/exitcodes-20k-malformed.jsonl --filter 'site: \"T2_*\"'",
];

/** `cms-nats keys FILE...`: every attribute name of the messages, the first thing to run on an unknown recording. */
export function command(): Command {
  const cmd = new Command("keys")
    .description("every attribute name the messages carry, how many had it, and a few of its values (files, or --from any source)")
    .argument("[file...]", "recorded files (or give --from)")
    .option("--from <source>", "another source, e.g. 'nats: {subject: \"cms.wmarchive.>\", count: 1000}'")
    .option("--examples <n>", "example values per attribute", "3");
  const flags = addPipelineFlags(cmd);
  cmd
    .addHelpText("after", `\nExamples:\n${EXAMPLES.map((e) => `  ${e}`).join("\n")}`)
    .action(async (files: string[], opts: { from?: string; examples: string }) => {
      if (files.length > 0 === (opts.from !== undefined)) throw new UsageError("give recorded files or --from SOURCE (one of the two), e.g. cms-nats keys samples/exitcodes-20k.jsonl");
      if (flags.to.length > 0) throw new UsageError("keys prints its table on stdout; --to is not for it (use replay or run)");
      const from = opts.from ? sourceFromFlag(opts.from) : sourceOf("replay", { path: files }, files.join(" "), { path: "FILE" });
      const to = sinkOf("keys", { examples: Number(opts.examples) }, `--examples ${opts.examples}`, { examples: "--examples" });
      process.exitCode = await execute({ from, steps: flags.steps, to: [to] });
    });
  return cmd;
}
