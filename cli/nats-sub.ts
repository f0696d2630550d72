#!/usr/bin/env -S npx tsx
/** nats-sub: the CMS Go tool's interface (single-dash flags included), on the cms-nats pipeline. */
import { hideSecretsFromPs } from "./process_title.ts";
import { VERSION } from "./version.ts";

hideSecretsFromPs();
const args = process.argv.slice(2);
if (args[0] === "--version" || args[0] === "-version") process.stdout.write(`${VERSION}\n`);
else {
  const [{ main }, { command }] = await Promise.all([import("./main.ts"), import("./commands/sub.ts")]);
  await main(command().name("nats-sub"), args);
}
