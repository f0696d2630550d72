#!/usr/bin/env -S npx tsx
/** nats-sub: the CMS Go tool's interface (single-dash flags included), on the cms-nats pipeline. */
import { subCommand } from "./commands/sub.ts";
import { goFlags } from "./go_flags.ts";
import { main } from "./main.ts";

const program = subCommand().name("nats-sub");
await main(program, goFlags(process.argv, program));
