/**
 * Runs the built commands (the `bin` entries: dist/*.mjs, started through their own `#!/usr/bin/env
 * node` line) as a user does: their own process, from a directory outside the repository. That
 * directory holds links to samples/ and pipelines/, so the documented relative paths work; TZ=UTC
 * makes `time: true` output the same everywhere.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { poll } from "./process.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export type Command = "cms-nats" | "nats-sub" | "nats-pub";

/** The built entry of a command, as package.json's `bin` names it. */
export function bin(command: Command): string {
  return join(ROOT, "dist", `${command}.mjs`);
}

/** A directory outside the repository, with `samples` and `pipelines` linked in: where commands run. */
export const WORKDIR = (() => {
  const dir = mkdtempSync(join(tmpdir(), "cms-nats-work-"));
  for (const name of ["samples", "pipelines"]) symlinkSync(join(ROOT, name), join(dir, name));
  return dir;
})();

/**
 * The environment commands run with: the test's, in UTC, without the FORCE_COLOR the test runner
 * sets for itself (a user's pipe has no colors either).
 */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _, ...env } = process.env;
  return { ...env, TZ: "UTC", ...extra };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end. */
export function runCli(command: Command, args: string[], input?: string | Uint8Array, env: Record<string, string> = {}): CliResult {
  const r = spawnSync(bin(command), args, {
    cwd: WORKDIR,
    input,
    encoding: "utf8",
    env: cliEnv(env),
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The `summary ...` line a run printed on stderr. */
export function summaryLine(stderr: string): string | undefined {
  return stderr.split("\n").find((l) => l.startsWith("summary "));
}

/**
 * Starting a command while a test goes on (streaming stdout/stderr), with HOME set to a temp dir of
 * the test, so no real ~/.nats/cms-auth is picked up. Secrets reach them only through files
 * (cms-auth, creds), never through the command line.
 */
export interface Running {
  stdout(): string;
  stderr(): string;
  /** Exit code once the process is gone. */
  exited: Promise<number | null>;
  /** Waits until stderr matches, e.g. /Listening on/; fails early if the process exits first. */
  waitForStderr(re: RegExp, timeoutMs?: number): Promise<void>;
  /** Waits until stdout holds at least `n` complete lines. */
  waitForLines(n: number, timeoutMs?: number): Promise<void>;
  /** Sends a signal to the process alone, as a supervisor does (systemd, `docker stop`, `kill PID`). */
  signal(sig: NodeJS.Signals): void;
  /** Sends a signal to its process group, as a terminal does on Ctrl-C (every process of the command gets it). */
  signalGroup(sig: NodeJS.Signals): void;
  pid: number;
  /** Writes the rest of its stdin and closes it (for a process started without `input`). */
  endInput(text: string): void;
  /** Writes to its stdin and keeps it open. */
  input(text: string | Uint8Array): void;
  /** Closes the reading end of its stdout, as `| head -1` does once it has its line. */
  closeStdout(): void;
}

/** `script`: a command name, or the path of a launcher script to start instead. */
export function startCli(script: Command | string, args: string[], home: string, input?: string): Running {
  const child = spawn(script.startsWith("/") ? script : bin(script as Command), args, {
    cwd: WORKDIR,
    env: cliEnv({ HOME: home }),
    stdio: ["pipe", "pipe", "pipe"],
    detached: true, // a process group of its own, as a shell gives each job
  });
  const out: string[] = [];
  let err = "";
  let lines = 0;
  child.stdout!.on("data", (chunk: Buffer) => {
    const text = chunk.toString();
    out.push(text);
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
  });
  child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
  if (input !== undefined) child.stdin!.end(input);
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const until = async (what: string, cond: () => boolean, timeoutMs: number) => {
    const state = await poll(what, () => (cond() ? "ok" : child.exitCode !== null ? "exited" : undefined), timeoutMs);
    if (state === "exited" && !cond()) throw new Error(`${script} exited with ${child.exitCode} before ${what}: ${err.trim()}`);
  };
  return {
    stdout: () => out.join(""),
    stderr: () => err,
    exited,
    waitForStderr: (re, timeoutMs = 15_000) => until(`stderr to match ${re}`, () => re.test(err), timeoutMs),
    waitForLines: (n, timeoutMs = 30_000) => until(`${n} lines on stdout`, () => lines >= n, timeoutMs),
    signal: (sig) => child.kill(sig),
    signalGroup: (sig) => {
      if (child.exitCode === null) process.kill(-child.pid!, sig);
    },
    pid: child.pid!,
    endInput: (text) => child.stdin!.end(text),
    input: (text) => void child.stdin!.write(text),
    closeStdout: () => child.stdout!.destroy(),
  };
}

/** Runs a CLI to its end. */
export async function runCliAsync(script: Command, args: string[], home: string, input?: string) {
  const r = startCli(script, args, home, input);
  const code = await r.exited;
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}

/** The counts of the last summary line a run printed, by name (`in`, `out`, `parse_errors`...); a missing one is 0. */
export function summaryCounts(stderr: string): Record<string, number> & { in: number; out: number } {
  const line = stderr.split("\n").filter((l) => l.startsWith("summary ")).pop();
  if (!line) throw new Error(`no summary line in: ${stderr}`);
  const counts: Record<string, number> = {};
  for (const [, k, v] of line.matchAll(/(\w+)=(\d+)/g)) counts[k] = Number(v);
  return new Proxy(counts, { get: (t, k) => (typeof k === "string" ? (t[k] ?? 0) : undefined) }) as Record<string, number> & { in: number; out: number };
}
