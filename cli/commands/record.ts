import { Command } from "commander";
import { sinkOf, sourceOf } from "../../pipelines/spec.ts";
import { addConnectionOptions, connectionFromFlags } from "../connection_flags.ts";
import { execute } from "../main.ts";
import { UsageError } from "../usage_error.ts";
import { numberFlag } from "./replay.ts";

interface RecordFlags {
  output: string;
  append?: boolean;
  force?: boolean;
  count?: string;
  duration?: string;
  queue?: string;
  quiet?: boolean;
  stream?: string;
  durable?: string;
  deliver?: string;
  stop?: string;
  [connection: string]: unknown;
}

export const EXAMPLES = [
  'cms-nats record "cms.wmarchive.exitCode.>" -o exitcodes.jsonl --duration 10m -cmsAuth ~/.nats/cms-auth',
  'cms-nats record "cms.wmarchive.>" -o - --count 100 | head',
  "cms-nats replay exitcodes.jsonl --stats '{every: 1m, by: [site]}'",
  'cms-nats record "cms.wmarchive.exitCode.>" --stream CMS --durable cms-recorder --stop caught-up -o backfill.jsonl --append',
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
    .option("--stream <name>", "read the JetStream stream instead (every message kept, acknowledged once written): SUBJECT filters it")
    .option("--durable <name>", "with --stream: a durable consumer, so a restart resumes where it stopped and workers share it")
    .option("--deliver <where>", "with --stream, a new consumer starts at: all (default), new, last, an ISO 8601 time or a stream sequence")
    .option("--stop <when>", "with --stream: caught-up ends once everything stored at the start is recorded")
    .option("--quiet", "no progress line on the terminal (it is shown only when stderr is a terminal)")
    .addHelpText("after", `\nStops at --count, --duration or Ctrl-C; every line is written whole, so an interrupted recording is valid.\n\nExamples:\n${EXAMPLES.map((e) => `  ${e}`).join("\n")}`)
    .action(async (subjects: string[], flags: RecordFlags) => {
      const connection = connectionFromFlags((flag) => flags[camel(flag === "s" ? "server" : flag)] as string | boolean | undefined, (flag) => (flag.length === 1 ? `-${flag}` : `--${flag}`));
      const limits = { count: numberFlag(flags.count), duration: flags.duration, ...connection.config };
      const limitFlags = { count: "--count", duration: "--duration", ...connection.flagOf };
      if (flags.stream === undefined && (flags.durable ?? flags.deliver ?? flags.stop) !== undefined) throw new UsageError("--durable, --deliver and --stop read a JetStream stream: add --stream NAME");
      if (flags.stream !== undefined && flags.queue !== undefined) throw new UsageError("--queue is for core NATS subscriptions; workers on a stream share a --durable consumer");
      if (flags.stream !== undefined && subjects.length > 1) throw new UsageError(`--stream takes one subject to filter the stream by; got ${subjects.length} (${subjects.join(" ")})`);
      const from =
        flags.stream === undefined
          ? sourceOf("nats", { subject: subjects, queue: flags.queue, ...limits }, "record", { subject: "SUBJECT", queue: "--queue", ...limitFlags })
          : sourceOf(
              "jetstream",
              { stream: flags.stream, durable: flags.durable, filter: subjects[0] === ">" ? undefined : subjects[0], deliver: numberFlag(flags.deliver), stop: flags.stop, ...limits },
              `record --stream ${flags.stream}`,
              { stream: "--stream", durable: "--durable", filter: "SUBJECT", deliver: "--deliver", stop: "--stop", ...limitFlags },
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
