import { Command } from "commander";
import { sinkOf, sourceOf } from "../../pipelines/spec.ts";
import { addConnectionOptions, connectionFromFlags } from "../connection_flags.ts";
import { execute } from "../main.ts";
import { numberFlag } from "./replay.ts";

interface RecordFlags {
  output: string;
  append?: boolean;
  force?: boolean;
  count?: string;
  duration?: string;
  queue?: string;
  quiet?: boolean;
  [connection: string]: unknown;
}

export const EXAMPLES = [
  'cms-nats record "cms.wmarchive.exitCode.>" -o exitcodes.jsonl --duration 10m -cmsAuth ~/.nats/cms-auth',
  'cms-nats record "cms.wmarchive.>" -o - --count 100 | head',
  "cms-nats replay exitcodes.jsonl --stats '{every: 1m, by: [site]}'",
];

/**
 * `cms-nats record SUBJECT -o FILE`: writes what arrives in the recorded file format, line by line,
 * until `--count`, `--duration` or Ctrl-C; `cms-nats replay FILE` plays it back. A recording that
 * exists is never replaced without `--force` (core NATS cannot give its messages back).
 */
export function command(): Command {
  const cmd = new Command("record")
    .description("record NATS subjects to a file (JSON Lines: time, subject, data) that replay reads back")
    .argument("<subject...>", 'subjects; * matches one token, > the rest, e.g. "cms.wmarchive.exitCode.>"')
    .requiredOption("-o, --output <file>", 'file to write, "-" for stdout');
  addConnectionOptions(cmd)
    .option("--append", "add to an existing recording")
    .option("--force", "replace an existing recording that is not empty (without it, it is refused and left as it is)")
    .option("--count <n>", "stop after N messages")
    .option("--duration <duration>", "stop after this long, e.g. 10m")
    .option("--queue <group>", "queue group: subscribers of one group share the messages")
    .option("--quiet", "no progress line on the terminal (it is shown only when stderr is a terminal)")
    .addHelpText("after", `\nStops at --count, --duration or Ctrl-C; every line is written whole, so an interrupted recording is valid.\n\nExamples:\n${EXAMPLES.map((e) => `  ${e}`).join("\n")}`)
    .action(async (subjects: string[], flags: RecordFlags) => {
      const connection = connectionFromFlags((flag) => flags[camel(flag === "s" ? "server" : flag)] as string | boolean | undefined, (flag) => (flag.length === 1 ? `-${flag}` : `--${flag}`));
      const from = sourceOf(
        "nats",
        { subject: subjects, queue: flags.queue, count: numberFlag(flags.count), duration: flags.duration, ...connection.config },
        "record",
        { subject: "SUBJECT", queue: "--queue", count: "--count", duration: "--duration", ...connection.flagOf },
      );
      const to = sinkOf("record", { path: flags.output, append: flags.append ?? false, overwrite: flags.force ?? false }, `-o ${flags.output}`, { path: "-o", append: "--append", overwrite: "--force" });
      process.exitCode = await execute({ from, steps: [], to: [to] }, { progress: !flags.quiet });
    });
  return cmd;
}

/** commander's name for an option's value: `reconnect-wait` → `reconnectWait`. */
function camel(flag: string): string {
  return flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}
