/**
 * `nats-pub` (and `cms-nats pub`): publishes MSG on SUBJECT, or one message per line of stdin when
 * MSG is absent or `-`, with the CMS Go tool's flags (Go's grammar) and its `Published on` line;
 * waits until the server has every message (flush) before it exits.
 */
import { lineBatches } from "../../formats/lines.ts";
import { closeClient, connectNats, type NatsClient } from "../../nats/client.ts";
import { connectionConfig, prepareConnection } from "../../nats/connection.ts";
import { subjectProblem } from "../../nats/subject.ts";
import { fromFlags } from "../../pipelines/spec.ts";
import { connectionFromFlags, goConnectionFlags } from "../connection_flags.ts";
import { goDefaults, type GoFlag, parseGoCommand } from "../go_flags.ts";
import { defaultCmsAuth, EXIT, stopOnSignals } from "../main.ts";
import { UsageError } from "../usage_error.ts";

const FLAGS: GoFlag[] = [
  ...goConnectionFlags(),
  { name: "h", type: "bool", usage: "Show help message" },
  { name: "count", type: "int", usage: "publish each message N times", default: "1" },
  { name: "version", type: "bool", usage: "print the version and exit" },
];

export const EXAMPLES = [
  'nats-pub -cmsAuth ~/.nats/cms-auth cms.test "exitCode:8028   site:T2_US_MIT"',
  "cms-nats replay samples/mixed-200.jsonl --select site --to csv:- | nats-pub -s 127.0.0.1:4222 cms.test.sites",
];

function usage(name: string): string {
  return `Usage: ${name} [-s server] [-creds file] <subject> <msg>\n${goDefaults(FLAGS)}
Without <msg> (or with -), each line of standard input is one message.
Examples:
${EXAMPLES.map((e) => `  ${e.replace(/nats-pub/, name)}`).join("\n")}
`;
}

export async function run(name: string, args: readonly string[]): Promise<number> {
  const text = usage(name);
  const { values, args: rest } = parseGoCommand(args, FLAGS, text);
  if (rest.length === 0 || rest.length > 2) {
    process.stderr.write(text);
    throw new UsageError(`give a subject and a message, e.g. ${name} cms.test "exitCode:8028"`);
  }
  const [subject, msg] = rest;
  const problem = subjectProblem(subject, false);
  if (problem) throw new UsageError(`subject "${subject}": ${problem}`);
  const count = Number(values.get("count") ?? 1);
  if (count < 1) throw new UsageError(`-count ${count}: publish each message at least once, e.g. -count 10`);
  const connection = connectionFromFlags((f) => values.get(f), (f) => `-${f}`);
  const settings = fromFlags(connectionConfig, connection.config, connection.flagOf, name);
  const warn = (line: string) => process.stderr.write(`${line}\n`);
  const prepared = prepareConnection(settings, { warn, defaultCmsAuth: defaultCmsAuth() });
  const client = await connectNats(prepared, warn);
  try {
    if (msg === undefined || msg === "-") {
      const n = await publishLines(client, subject, count);
      warn(`Published ${n} messages on [${prepared.given}/${subject}]`);
    } else {
      for (let i = 0; i < count; i++) client.nc.publish(subject, msg);
      await client.nc.flush();
      warn(`Published on [${prepared.given}/${subject}]: '${msg}'${count > 1 ? ` (${count} times)` : ""}`);
    }
  } finally {
    await closeClient(client, "drain");
  }
  return EXIT.ok;
}

/**
 * Publishes each non-empty line; a flush per chunk of input keeps memory bounded for any input size.
 * Ctrl-C or SIGTERM stops reading: what was read is flushed to the server before exit.
 */
async function publishLines(client: NatsClient, subject: string, count: number): Promise<number> {
  const stop = stopOnSignals(() => process.exit(EXIT.failure));
  stop.signal.addEventListener("abort", () => process.stdin.destroy());
  let n = 0;
  try {
    for await (const batch of lineBatches(process.stdin)) {
      for (const line of batch) {
        if (line === "") continue;
        for (let i = 0; i < count; i++) client.nc.publish(subject, line);
        n += count;
      }
      await client.nc.flush();
    }
  } catch (err) {
    if (!stop.signal.aborted) throw err;
  } finally {
    stop.dispose();
  }
  return n;
}
