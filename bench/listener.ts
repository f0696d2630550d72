/**
 * A subscribing process of a bench (nats-sub, cms-nats run or record, a bare client): started with
 * HOME in the bench's temp dir, so no real ~/.nats/cms-auth is read, and ready once it says it is
 * listening (it then has its SIGINT handler too); stopped with SIGINT, as a user stops it.
 */
import { spawn } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { poll } from "../test/support/process.ts";

export interface Listener {
  pid: number;
  /** Sends SIGINT and waits for the exit: its code, the messages its summary says it received (NaN without one), its stderr. */
  stop(): Promise<{ code: number | null; received: number; stderr: string }>;
  /** Ends it at once (SIGKILL), if it still runs: a bench that failed midway. */
  kill(): void;
}

export interface ListenerOptions {
  /** The file its stdout goes to; none: thrown away. */
  stdout?: string;
  /** Added to this process's environment (HOME is the bench's dir). */
  env?: NodeJS.ProcessEnv;
}

/** Starts `argv` and waits until it is listening. */
export async function startListener(argv: readonly string[], dir: string, opts: ListenerOptions = {}): Promise<Listener> {
  const stdout = opts.stdout === undefined ? "ignore" : openSync(opts.stdout, "w");
  const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", stdout, "pipe"], env: { ...process.env, ...opts.env, HOME: dir } });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  const kill = () => void child.kill("SIGKILL");
  try {
    await poll(`${argv.slice(0, 3).join(" ")} to listen`, () => /Listening on/.test(stderr), 30_000);
  } catch (err) {
    kill();
    throw new Error(`${(err as Error).message}: ${stderr.slice(-300)}`);
  }
  return {
    pid: child.pid!,
    async stop() {
      child.kill("SIGINT");
      const code = await exited;
      return { code, received: summaryReceived(stderr), stderr };
    },
    kill,
  };
}

/** The messages a run's summary line says it received (`summary in=N`), NaN without one. */
export const summaryReceived = (stderr: string): number => Number(/summary in=(\d+)/.exec(stderr)?.[1] ?? NaN);

/** A process's peak RSS so far, in MB (VmHWM); what a process that has exited left: NaN. */
export function peakRssMB(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
  } catch {
    return NaN;
  }
}
