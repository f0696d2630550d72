#!/usr/bin/env -S npx tsx
/** nats-sub: the CMS Go tool's interface (single-dash flags included), on the cms-nats pipeline. */
import { subCommand } from "./commands/sub.ts";
import { goFlags } from "./go_flags.ts";
import { main } from "./main.ts";
import { hideSecretsFromPs } from "./process_title.ts";

const program = subCommand().name("nats-sub");
hideSecretsFromPs();
await main(program, goFlags(process.argv, program));
