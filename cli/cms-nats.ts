#!/usr/bin/env -S npx tsx
/** cms-nats: stream pipelines over the CMS NATS monitoring subjects. Wires the commands; nothing else. */
import { Command } from "commander";
import { pubCommand } from "./commands/pub.ts";
import { recordCommand } from "./commands/record.ts";
import { replayCommand } from "./commands/replay.ts";
import { runCommand } from "./commands/run.ts";
import { subCommand } from "./commands/sub.ts";
import { goFlags } from "./go_flags.ts";
import { main } from "./main.ts";
import { hideSecretsFromPs } from "./process_title.ts";

const program = new Command("cms-nats")
  .description("Record, replay and transform CMS NATS monitoring streams (exit codes, sites, campaigns)")
  .version("0.1.0")
  .addCommand(replayCommand())
  .addCommand(runCommand())
  .addCommand(recordCommand())
  .addCommand(subCommand())
  .addCommand(pubCommand())
  .addHelpText(
    "after",
    `
Exit codes: 0 ok (also after Ctrl-C with every sink flushed), 1 runtime failure, 2 usage error.

Examples:
  cms-nats replay samples/exitcodes-20k.jsonl --stats '{every: 60s, by: [site]}' --to csv:out.csv
  cms-nats run -f pipelines/exitcodes-by-site.yaml
  cms-nats run --from 'nats: {subject: "cms.wmarchive.exitCode.>", servers: cms-nats.cern.ch}' --select site,exitCode
  cms-nats record "cms.wmarchive.exitCode.>" -o rec.jsonl --duration 10m`,
  );

hideSecretsFromPs();
await main(program, goFlags(process.argv, program));
