/**
 * Runs the CLIs as their own processes while a test goes on (streaming stdout/stderr), with HOME set
 * to a temp dir of the test, so no real ~/.nats/cms-auth is picked up. Secrets reach them only
 * through files (cms-auth, creds), never through the command line.
 */
import { spawn } from "node:child_process";
import { ROOT } from "./cli.ts";
import { poll } from "./process.ts";

export interface Running {
  stdout(): string;
  stderr(): string;
  /** Exit code once the process is gone. */
  exited: Promise<number | null>;
  /** Waits until stderr matches, e.g. /Listening on/; fails early if the process exits first. */
  waitForStderr(re: RegExp, timeoutMs?: number): Promise<void>;
  /** Waits until stdout holds at least `n` complete lines. */
  waitForLines(n: number, timeoutMs?: number): Promise<void>;
  signal(sig: NodeJS.Signals): void;
  /** Writes the rest of its stdin and closes it (for a process started without `input`). */
  endInput(text: string): void;
  /** Writes to its stdin and keeps it open. */
  input(text: string): void;
  /** Closes the reading end of its stdout, as `| head -1` does once it has its line. */
  closeStdout(): void;
}

export function startCli(script: "cms-nats" | "nats-sub" | "nats-pub", args: string[], home: string, input?: string): Running {
  const child = spawn(process.execPath, ["--import", "tsx", `cli/${script}.ts`, ...args], {
    cwd: ROOT,
    env: { ...process.env, TZ: "UTC", HOME: home },
    stdio: ["pipe", "pipe", "pipe"],
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
    endInput: (text) => child.stdin!.end(text),
    input: (text) => void child.stdin!.write(text),
    closeStdout: () => child.stdout!.destroy(),
  };
}

/** Runs a CLI to its end. */
export async function runCliAsync(script: "cms-nats" | "nats-sub" | "nats-pub", args: string[], home: string, input?: string) {
  const r = startCli(script, args, home, input);
  const code = await r.exited;
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}
