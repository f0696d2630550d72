#!/usr/bin/env -S npx tsx
/** nats-pub: the CMS Go tool's interface (single-dash flags included); stdin mode and --count beyond it. */
import { hideSecretsFromPs } from "./process_title.ts";
import { VERSION } from "./version.ts";

hideSecretsFromPs();
const args = process.argv.slice(2);
if (args[0] === "--version" || args[0] === "-version") process.stdout.write(`${VERSION}\n`);
else {
  const [{ main }, { command }] = await Promise.all([import("./main.ts"), import("./commands/pub.ts")]);
  await main(command().name("nats-pub"), args);
}
