import { Command } from "commander";
import { lineBatches } from "../../pipelines/sources/lines.ts";
import { closeClient, connectNats, type NatsClient } from "../../pipelines/nats_client.ts";
import { connectionConfig, prepareConnection } from "../../pipelines/nats_connection.ts";
import { subjectProblem } from "../../sinks/nats_subject.ts";
import { addConnectionFlags, type ConnectionFlags, connectionSettings } from "../connection_flags.ts";
import { UsageError } from "../main.ts";

interface PubFlags extends ConnectionFlags {
  count: string;
}

/**
 * `nats-pub` (and `cms-nats pub`): publishes MSG on SUBJECT, or one message per line of stdin when
 * MSG is absent or `-`; waits until the server has every message (flush) before it exits.
 */
export function command(): Command {
  const cmd = new Command("pub")
    .description("publish a message on a NATS subject, as the CMS Go nats-pub does; without MSG, one message per line of stdin")
    .argument("<subject>", "subject to publish on (no wildcards)")
    .argument("[msg]", 'the message; absent or "-": one message per line of stdin');
  addConnectionFlags(cmd)
    .option("--count <n>", "publish each message N times", "1")
    .addHelpText(
      "after",
      `
Go-style single-dash flags work too: -s, -creds, -cmsAuth, -rootCAs=a.crt,b.crt, -userCert, -userKey.

Examples:
  nats-pub -cmsAuth ~/.nats/cms-auth cms.test "exitCode:8028   site:T2_US_MIT"
  cms-nats replay rec.jsonl --select site --to csv:- | nats-pub -s 127.0.0.1:4222 cms.test.sites`,
    )
    .action(async (subject: string, msg: string | undefined, flags: PubFlags) => {
      const problem = subjectProblem(subject, false);
      if (problem) throw new UsageError(`subject "${subject}": ${problem}`);
      const count = Number(flags.count);
      if (!Number.isInteger(count) || count < 1) throw new UsageError(`--count ${flags.count}: expected a positive whole number`);
      const settings = connectionConfig.safeParse(connectionSettings(flags));
      if (!settings.success) throw new UsageError(`connection flags: ${settings.error.issues[0].path.join(".")}: ${settings.error.issues[0].message}`);
      const warn = (text: string) => process.stderr.write(`${text}\n`);
      const client = await connectNats(prepareConnection(settings.data, { warn }), warn);
      try {
        if (msg === undefined || msg === "-") {
          const n = await publishLines(client, subject, count);
          warn(`Published ${n} messages on [${client.label}/${subject}]`);
        } else {
          for (let i = 0; i < count; i++) client.nc.publish(subject, msg);
          await client.nc.flush();
          warn(`Published on [${client.label}/${subject}]: '${msg}'${count > 1 ? ` (${count} times)` : ""}`);
        }
      } finally {
        await closeClient(client, "drain");
      }
    });
  return cmd;
}

/** Publishes each non-empty line; a flush per chunk of input keeps memory bounded for any input size. */
async function publishLines(client: NatsClient, subject: string, count: number): Promise<number> {
  let n = 0;
  for await (const batch of lineBatches(process.stdin)) {
    for (const line of batch) {
      if (line === "") continue;
      for (let i = 0; i < count; i++) client.nc.publish(subject, line);
      n += count;
    }
    await client.nc.flush();
  }
  return n;
}
