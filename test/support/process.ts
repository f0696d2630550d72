/**
 * What the server launchers share: free loopback ports, temp dirs, bounded polls, spawning a server
 * and stopping it, and the rule for a missing binary (CI fails, elsewhere a loud skip).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A loopback port nothing listens on right now (bound with port 0, then released). Another process
 * may take it before the server does: launchers retry with a fresh port when the server exits early.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A fresh directory under the system temp dir; `remove` deletes it with everything in it. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Calls `check` every `everyMs` until it gives a value other than undefined/false, and returns it;
 * throws naming `what` after `timeoutMs`. Errors thrown by `check` count as "not yet".
 */
export async function poll<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * True when the tests that need `binary` should not be registered: it is missing and this is not CI
 * (then a loud SKIPPED line says so). In CI a missing binary is a failure: the tests run and fail
 * on starting it.
 */
export function skipWithout(binary: string): boolean {
  if (existsSync(binary) || process.env.CI) return false;
  console.log(`\n*** SKIPPED: ${binary} not installed; its integration tests did not run ***\n`);
  return true;
}

/** A spawned server with everything it printed so far (stdout and stderr together). */
export interface Spawned {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

export function spawnServer(binary: string, args: string[]): Spawned {
  if (!existsSync(binary)) throw new Error(`${binary} is not installed (Debian package needed for this test)`);
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (chunk: Buffer) => (out = (out + chunk.toString()).slice(-64 * 1024));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** SIGTERM, then SIGKILL when the process has not exited within `graceMs`; resolves once it is gone. */
export async function stopServer(s: Spawned, graceMs = 5_000): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  s.child.kill("SIGTERM");
  const timer = setTimeout(() => s.child.kill("SIGKILL"), graceMs);
  await s.exited;
  clearTimeout(timer);
}
