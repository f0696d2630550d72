import { Command } from "commander";
import { sinkOf, sourceFromFlag } from "../../pipelines/spec.ts";
import { execute } from "../main.ts";
import { addPipelineFlags, PIPELINE_EXAMPLES, withFileFlags } from "../pipeline_flags.ts";
import { UsageError } from "../usage_error.ts";
import { numberFlag } from "./replay.ts";

export const EXAMPLES = [
  "cms-nats top --from replay:samples/exitcodes-20k.jsonl --by exitCode --by site --every 1m --codes samples/exit-codes.txt",
  "cms-nats top --from 'nats: {subject: \"cms.wmarchive.exitCode.>\", servers: cms-nats.cern.ch}' --by exitCode,site",
  "cms-nats top --from replay:samples/exitcodes-20k.jsonl --filter 'site: \"T2_*\"' --by site --every 10m | less",
];

interface TopFlags {
  from?: string;
  by: string[];
  every?: string;
  top?: string;
  codes?: string;
}

/**
 * `cms-nats top`: the pipeline's messages (any source, any steps) shown live as tables of the top
 * values per attribute (sinks/top.ts); other sinks given with --to get the same messages.
 */
export function command(): Command {
  const cmd = new Command("top")
    .description("a live view in the terminal: the top values of attributes in the current window, with counts, shares and sparklines")
    .option("--from <source>", "where messages come from: replay:FILE, stdin, 'nats: {subject: ..., servers: ...}' (cms-nats docs lists them)")
    .option("--by <attributes>", "attribute(s) to show a table for, repeatable or comma-separated, e.g. --by exitCode --by site", (v, list: string[]) => [...list, ...v.split(",").map((s) => s.trim()).filter(Boolean)], [])
    .option("--every <duration>", "window length: 10s (default), 1m, 1h, or all (the whole run); + and - change it while it runs")
    .option("--top <n>", "rows per table, most (default 10)")
    .option("--codes <file|url>", "descriptions of exit codes: a 'code: description' list, a file or URL (the CMS exit-code lists)");
  const flags = addPipelineFlags(cmd);
  cmd
    .addHelpText(
      "after",
      `\nKeys: q quit (every sink flushed), p pause, + and - window length, arrows or tab choose the attribute.\nA replay stays on its last frame until q. When stdout is not a terminal, each window is printed as a plain-text frame.\n${PIPELINE_EXAMPLES}\nExamples:\n${EXAMPLES.map((e) => `  ${e}`).join("\n")}`,
    )
    .action(async (opts: TopFlags) => {
      if (!opts.from) throw new UsageError("say where messages come from, e.g. --from replay:samples/exitcodes-20k.jsonl or --from 'nats: {subject: \"cms.wmarchive.exitCode.>\"}'");
      if (opts.by.length === 0) throw new UsageError("say which attribute(s) to show, e.g. --by exitCode --by site");
      const view = sinkOf("top", { by: opts.by, every: opts.every, top: numberFlag(opts.top), codes: opts.codes }, "the top view", { by: "--by", every: "--every", top: "--top", codes: "--codes" });
      process.exitCode = await execute(withFileFlags({ from: sourceFromFlag(opts.from), steps: flags.steps, to: [view, ...flags.to] }, flags));
    });
  return cmd;
}
