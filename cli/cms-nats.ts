#!/usr/bin/env -S npx tsx
/**
 * cms-nats: stream pipelines over the CMS NATS monitoring subjects. The entry hides secrets from `ps`,
 * answers --version and --help, and loads only the command that runs (a replay never loads NATS).
 */
import type { GoCommand } from "./go_entry.ts";
import { hideSecretsFromPs } from "./process_title.ts";
import { VERSION } from "./version.ts";

hideSecretsFromPs();

/** How one command runs: commander commands and the Go-style ones (sub, pub) alike. */
type Runner = (args: readonly string[]) => Promise<never>;

const commander = (load: () => Promise<{ command(): import("commander").Command }>, name: string): Runner => async (args) => {
  const [{ commanderMain }, mod] = await Promise.all([import("./main.ts"), load()]);
  return commanderMain(mod.command().name(`cms-nats ${name}`), args);
};
const goStyle = (load: () => Promise<GoCommand>, name: string): Runner => async (args) => {
  const [{ main }, mod] = await Promise.all([import("./main.ts"), load()]);
  return main(() => mod.run(`cms-nats ${name}`, args));
};

const COMMANDS: Record<string, { summary: string; run: Runner }> = {
  replay: { summary: "replay recorded files through the pipeline steps into the sinks", run: commander(() => import("./commands/replay.ts"), "replay") },
  run: { summary: "run a pipeline from a pipeline file (-f) or from --from and step flags", run: commander(() => import("./commands/run.ts"), "run") },
  record: { summary: "record NATS subjects to a file that replay reads back", run: commander(() => import("./commands/record.ts"), "record") },
  sub: { summary: "subscribe and print messages or stats, as the CMS Go nats-sub (Go flags)", run: goStyle(() => import("./commands/sub.ts"), "sub") },
  pub: { summary: "publish a message (or each line of stdin), as the CMS Go nats-pub (Go flags)", run: goStyle(() => import("./commands/pub.ts"), "pub") },
  top: { summary: "a live view in the terminal: top values per attribute in the current window, with sparklines", run: commander(() => import("./commands/top.ts"), "top") },
  keys: { summary: "every attribute name of the messages, how many had it, a few values: a first look at a recording", run: commander(() => import("./commands/keys.ts"), "keys") },
  test: { summary: "run the tests: of pipeline files (inputs replayed, outputs compared byte for byte)", run: commander(() => import("./commands/test.ts"), "test") },
  docs: { summary: "list every source, step and sink; docs KIND shows every field with its default", run: commander(() => import("./commands/docs.ts"), "docs") },
};

const USAGE = `Usage: cms-nats [--version] [--help] <command> [options]

Record, replay and transform CMS NATS monitoring streams (exit codes, sites, campaigns).

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`).join("\n")}

Run 'cms-nats <command> --help' for the options of one command.
Exit codes: 0 ok (also after Ctrl-C with every sink flushed), 1 runtime failure, 2 usage error.

Examples:
  cms-nats replay samples/exitcodes-20k.jsonl --stats '{every: 60s, by: [site]}' --to csv:per-site.csv
  cms-nats run -f pipelines/exitcodes-by-site.yaml --force
  cms-nats top --from replay:samples/exitcodes-20k.jsonl --by exitCode --by site --codes samples/exit-codes.txt
  cms-nats docs victoriametrics
  cms-nats run --from 'nats: {subject: "cms.wmarchive.exitCode.>", servers: cms-nats.cern.ch}' --select site,exitCode
  cms-nats record "cms.wmarchive.exitCode.>" -o rec.jsonl --duration 10m
`;

const isCommand = (name: string | undefined): name is string => name !== undefined && Object.hasOwn(COMMANDS, name);

const [name, ...rest] = process.argv.slice(2);
if (name === "--version" || name === "-V") {
  process.stdout.write(`${VERSION}\n`);
} else if (isCommand(name)) {
  await COMMANDS[name].run(rest);
} else if (name === "help" && isCommand(rest[0])) {
  await COMMANDS[rest[0]].run(["--help"]);
} else if (name === "--help" || name === "-h" || name === "help") {
  process.stdout.write(USAGE);
} else {
  process.stderr.write(`${name === undefined ? "" : `error: unknown command '${name}'\n\n`}${USAGE}`);
  process.exitCode = 2;
}
