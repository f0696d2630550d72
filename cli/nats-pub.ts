#!/usr/bin/env -S npx tsx
/** nats-pub: the CMS Go tool's interface (single-dash flags included); stdin mode and --count beyond it. */
import { pubCommand } from "./commands/pub.ts";
import { goFlags } from "./go_flags.ts";
import { main } from "./main.ts";
import { hideSecretsFromPs } from "./process_title.ts";

const program = pubCommand().name("nats-pub");
hideSecretsFromPs();
await main(program, goFlags(process.argv, program));
