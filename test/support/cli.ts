import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one of the cli/ scripts to its end, as a user would (its own process, real stdout/stderr,
 * TZ=UTC so `time: true` output is the same everywhere), from the project root.
 */
export function runCli(script: "cms-nats" | "nats-sub" | "nats-pub", args: string[], input?: string): CliResult {
  const r = spawnSync(process.execPath, ["--import", "tsx", `cli/${script}.ts`, ...args], {
    cwd: ROOT,
    input,
    encoding: "utf8",
    env: { ...process.env, TZ: "UTC" },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The `summary ...` line a run printed on stderr. */
export function summaryLine(stderr: string): string | undefined {
  return stderr.split("\n").find((l) => l.startsWith("summary "));
}
