#!/usr/bin/env -S npx tsx
/**
 * cms-nats: stream pipelines over the CMS NATS monitoring subjects. The entry hides secrets from `ps`,
 * answers --version and --help, and loads only the command that runs (a replay never loads NATS).
 */
import { hideSecretsFromPs } from "./process_title.ts";
import { VERSION } from "./version.ts";

hideSecretsFromPs();

const COMMANDS = {
  replay: { summary: "replay a recorded file through the pipeline steps into the sinks", load: () => import("./commands/replay.ts") },
  run: { summary: "run a pipeline from a pipeline file (-f) or from --from and step flags", load: () => import("./commands/run.ts") },
  record: { summary: "record NATS subjects to a file that replay reads back", load: () => import("./commands/record.ts") },
  sub: { summary: "subscribe and print messages or stats, as the CMS Go nats-sub", load: () => import("./commands/sub.ts") },
  pub: { summary: "publish a message (or each line of stdin), as the CMS Go nats-pub", load: () => import("./commands/pub.ts") },
} as const;

const USAGE = `Usage: cms-nats [--version] [--help] <command> [options]

Record, replay and transform CMS NATS monitoring streams (exit codes, sites, campaigns).

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`).join("\n")}

Run 'cms-nats <command> --help' for the options of one command.
Exit codes: 0 ok (also after Ctrl-C with every sink flushed), 1 runtime failure, 2 usage error.

Examples:
  cms-nats replay samples/exitcodes-20k.jsonl --stats '{every: 60s, by: [site]}' --to csv:out.csv
  cms-nats run -f pipelines/exitcodes-by-site.yaml
  cms-nats run --from 'nats: {subject: "cms.wmarchive.exitCode.>", servers: cms-nats.cern.ch}' --select site,exitCode
  cms-nats record "cms.wmarchive.exitCode.>" -o rec.jsonl --duration 10m
`;

type Name = keyof typeof COMMANDS;
const isCommand = (name: string | undefined): name is Name => name !== undefined && Object.hasOwn(COMMANDS, name);

const [name, ...rest] = process.argv.slice(2);
if (name === "--version" || name === "-V") {
  process.stdout.write(`${VERSION}\n`);
} else if (isCommand(name)) {
  await runCommand(name, rest);
} else if (name === "help" && isCommand(rest[0])) {
  await runCommand(rest[0], ["--help"]);
} else if (name === "--help" || name === "-h" || name === "help") {
  process.stdout.write(USAGE);
} else {
  process.stderr.write(`${name === undefined ? "" : `error: unknown command '${name}'\n\n`}${USAGE}`);
  process.exitCode = 2;
}

async function runCommand(command: Name, args: string[]): Promise<void> {
  const [{ main }, mod] = await Promise.all([import("./main.ts"), COMMANDS[command].load()]);
  await main(mod.command().name(`cms-nats ${command}`), args);
}
