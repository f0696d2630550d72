import { Command } from "commander";
import { type PipelineSpec, sinkFromFlag, sourceSpec } from "../../pipelines/spec.ts";
import { addConnectionFlags, type ConnectionFlags, connectionSettings } from "../connection_flags.ts";
import { execute } from "../main.ts";

interface RecordFlags extends ConnectionFlags {
  output: string;
  append?: boolean;
  count?: string;
  duration?: string;
  queue?: string;
}

/**
 * `cms-nats record SUBJECT -o FILE`: writes what arrives in the recorded file format, line by line,
 * until `--count`, `--duration` or Ctrl-C; `cms-nats replay FILE` plays it back.
 */
export function command(): Command {
  const cmd = new Command("record")
    .description("record NATS subjects to a file (JSON Lines: time, subject, data) that replay reads back")
    .argument("<subject...>", 'subjects; * matches one token, > the rest, e.g. "cms.wmarchive.exitCode.>"')
    .requiredOption("-o, --output <file>", 'file to write, "-" for stdout');
  addConnectionFlags(cmd)
    .option("--append", "add to an existing file instead of replacing it")
    .option("--count <n>", "stop after N messages")
    .option("--duration <duration>", "stop after this long, e.g. 10m")
    .option("--queue <group>", "queue group: subscribers of one group share the messages")
    .addHelpText(
      "after",
      `
Stops at --count, --duration or Ctrl-C; every line is written whole, so an interrupted recording is valid.

Examples:
  cms-nats record "cms.wmarchive.exitCode.>" -o exitcodes.jsonl --duration 10m -cmsAuth ~/.nats/cms-auth
  cms-nats record "cms.wmarchive.>" -o - --count 100 | head
  cms-nats replay exitcodes.jsonl --stats '{every: 1m, by: [site]}'`,
    )
    .action(async (subjects: string[], flags: RecordFlags) => {
      await execute(recordSpec(subjects, flags));
    });
  return cmd;
}

function recordSpec(subjects: string[], flags: RecordFlags): PipelineSpec {
  const source = {
    subject: subjects,
    queue: flags.queue,
    count: flags.count === undefined ? undefined : Number(flags.count),
    duration: flags.duration,
    ...connectionSettings(flags),
  };
  return {
    from: sourceSpec({ nats: source }, "record"),
    steps: [],
    to: [sinkFromFlag(JSON.stringify({ record: { path: flags.output, append: flags.append ?? false } }))],
  };
}
