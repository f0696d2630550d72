import { Command } from "commander";
import { sourceOf } from "../../pipelines/spec.ts";
import { execute } from "../main.ts";
import { addPipelineFlags, PIPELINE_EXAMPLES, withFileFlags } from "../pipeline_flags.ts";

/** A number flag as typed: a number when it reads as one, else the text (the schema then says what is wrong with it). */
export function numberFlag(text: string | undefined): number | string | undefined {
  return text === undefined || text.trim() === "" || Number.isNaN(Number(text)) ? text : Number(text);
}

export const EXAMPLES = [
  "cms-nats replay samples/exitcodes-20k.jsonl --since 2026-11-21T13:40Z --until 2026-11-21T13:50Z --filter 'site: T2_US_MIT' --select time,exitCode --to csv:-",
  "cms-nats replay samples/exitcodes-20k.jsonl --stats '{every: 60s, by: [site]}' --to csv:by-site.csv",
  "cms-nats replay samples/exitcodes-20k.jsonl --filter 'site: \"T2_*\"' --filter 'exitCode: {gte: 8000}' --select site,exitCode,campaign --to csv:-",
  "cms-nats replay samples/exitcodes-20k-malformed.jsonl --select site,exitCode --to csv:codes.csv --dead-letter bad.jsonl",
];

export function command(): Command {
  const cmd = new Command("replay")
    .description("replay recorded files (merged by time; .gz read as they are; - for stdin) through the pipeline steps into the sinks")
    .argument("<file...>", "recorded files (JSON Lines: time, subject, data)")
    .option("--speed <n>", "0: as fast as possible; 1: recorded pace; N: N times faster", "0")
    .option("--since <time>", "leave out messages before this time: ISO 8601 (2026-11-21T14:00Z), or -DURATION before the recording's end (-2h)")
    .option("--until <time>", "leave out messages from this time on (a time-ordered file is read no further)")
    .option("--threads <n>", "worker threads reading the files ahead when a select or stats follows (auto: one per core, for files from 8 MB; 0: none); the output is the same", "auto")
    .option("--quiet", "no progress line on the terminal (it is shown only when stderr is a terminal)");
  const flags = addPipelineFlags(cmd);
  cmd
    .addHelpText("after", `${PIPELINE_EXAMPLES}\nExamples:\n${EXAMPLES.map((e) => `  ${e}`).join("\n")}`)
    .action(async (files: string[], opts: { speed: string; since?: string; until?: string; threads: string; quiet?: boolean }) => {
      const config = { path: files, speed: numberFlag(opts.speed), since: opts.since, until: opts.until, threads: opts.threads === "auto" ? "auto" : numberFlag(opts.threads) };
      const from = sourceOf("replay", config, files.join(" "), { speed: "--speed", path: "FILE", since: "--since", until: "--until", threads: "--threads" });
      process.exitCode = await execute(withFileFlags({ from, steps: flags.steps, to: flags.to }, flags), { progress: !opts.quiet });
    });
  return cmd;
}
