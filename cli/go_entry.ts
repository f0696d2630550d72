import { hideSecretsFromPs } from "./process_title.ts";
import { VERSION } from "./version.ts";

/** A Go-style command (nats-sub, nats-pub): a `run(name, args)` that returns the exit code. */
export type GoCommand = { run(name: string, args: readonly string[]): Promise<number> };

/**
 * The entry of a Go-style command: secrets off the process title first, `-version` answered
 * without loading anything, then the command's module and the error → exit code mapping.
 */
export async function goEntry(name: string, load: () => Promise<GoCommand>, args: readonly string[] = process.argv.slice(2)): Promise<void> {
  hideSecretsFromPs();
  if (args[0] === "--version" || args[0] === "-version") {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const [{ main }, mod] = await Promise.all([import("./main.ts"), load()]);
  await main(() => mod.run(name, args));
}
