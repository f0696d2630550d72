import { homedir } from "node:os";
import { join } from "node:path";
import { CommanderError, type Command } from "commander";
import { NatsConnectionError } from "../nats/connection.ts";
import { type RunProgress, type RunResult, runPipeline, type Unflushed } from "../pipelines/run.ts";
import { SourceError } from "../pipelines/sources/source.ts";
import { type PipelineSpec, SpecError } from "../pipelines/spec.ts";
import { SinkError } from "../sinks/sink.ts";
import { GoFlagExit } from "./go_flags.ts";
import { terminalFor } from "./terminal.ts";
import { longFlags } from "./long_flags.ts";
import { progressFor } from "./progress.ts";
import { UsageError } from "./usage_error.ts";

/** Exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** stdout's reader went away (`| head`): 128 + SIGPIPE, the status `yes | head` or `grep | head` leave. */
  readerGone: 141,
} as const;

/**
 * Runs a command and exits with the code the README documents: 0 ok (also after Ctrl-C with
 * everything flushed), 1 runtime failure, 2 usage error; `run` may return another code. The one place
 * that maps errors to exit codes.
 */
export async function main(run: () => Promise<number | void>): Promise<never> {
  let code: number;
  try {
    code = (await run()) ?? EXIT.ok;
  } catch (err) {
    code = exitCode(err);
  }
  process.exit(code);
}

/** Runs a commander command (GNU-style flags; Go-style single-dash long flags accepted, see long_flags.ts). */
export function commanderMain(cmd: Command, args: readonly string[]): Promise<never> {
  cmd.exitOverride().configureOutput({ outputError: (text, write) => write(text) });
  return main(async () => {
    await cmd.parseAsync(longFlags(args, cmd), { from: "user" });
    return process.exitCode === undefined ? undefined : Number(process.exitCode);
  });
}

function exitCode(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage; // commander has printed its message
  if (err instanceof GoFlagExit) return err.code; // the usage has been printed
  if (err instanceof SpecError || err instanceof UsageError) {
    process.stderr.write(`error: ${err.message}\n`);
    return EXIT.usage;
  }
  const known = err instanceof SourceError || err instanceof SinkError || err instanceof NatsConnectionError;
  process.stderr.write(`error: ${known ? (err as Error).message : ((err as Error)?.stack ?? String(err))}\n`);
  return EXIT.failure;
}

/** The cms-auth file NATS connections fall back to: the Go tools' `$HOME/.nats/cms-auth`. */
export function defaultCmsAuth(): string {
  return join(process.env.HOME ?? homedir(), ".nats", "cms-auth");
}

/**
 * `npx` (npm exec) passes the terminal's Ctrl-C on to its child, which had it from the terminal
 * already: the same signal twice within this long is one request to stop, not a second one.
 */
const SAME_SIGNAL_MS = 200;

/**
 * SIGINT/SIGTERM as a request to stop: the first aborts the returned signal (the work stops taking
 * input and flushes); a second one calls `force` (which exits). `dispose` removes the handlers,
 * once the work is over (the same signal again within {@link SAME_SIGNAL_MS} of the first is still
 * taken as that one).
 */
export function stopOnSignals(force: (signal: NodeJS.Signals) => void): { signal: AbortSignal; dispose(): void } {
  const stop = new AbortController();
  let first: { signal: NodeJS.Signals; at: number } | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!first) {
      first = { signal, at: Date.now() };
      stop.abort(signal);
      return;
    }
    if (signal === first.signal && Date.now() - first.at < SAME_SIGNAL_MS) return;
    force(signal);
  };
  process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
  const dispose = () => {
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
    // a stop that flushed quickly can be over before npx's copy of the Ctrl-C comes: without a
    // handler, that copy would kill the process by its signal after its summary (a CI run saw it)
    if (!first) return;
    const left = SAME_SIGNAL_MS - (Date.now() - first.at);
    if (left <= 0) return;
    const same = first.signal;
    const ignore = () => undefined;
    process.on(same, ignore);
    setTimeout(() => process.off(same, ignore), left).unref();
  };
  return { signal: stop.signal, dispose };
}

/**
 * Runs a pipeline until it ends or is stopped: the first SIGINT/SIGTERM stops the source and flushes
 * every stats window and sink; a second one exits at once, naming what was not flushed. Prints the
 * summary line to stderr; returns the exit code (0 when everything was delivered, else 1). With
 * `progress`, a progress line is shown on a terminal (cli/progress.ts).
 */
export async function execute(spec: PipelineSpec, opts: { progress?: boolean } = {}): Promise<number> {
  let unflushed: (() => Unflushed) | undefined;
  const progress = opts.progress ? await progressFor(spec) : undefined;
  const stderr = progress?.stderr ?? process.stderr;
  const stop = stopOnSignals((signal) => {
    progress?.stop();
    process.stderr.write(`${signal} again: exiting without flushing; ${lost(unflushed?.())}\n`);
    process.exit(EXIT.failure);
  });
  stop.signal.addEventListener("abort", () => stderr.write(`${String(stop.signal.reason)}: stopping, flushing every sink (again to exit at once)\n`));
  let result: RunResult;
  try {
    result = await runPipeline(spec, {
      signal: stop.signal,
      get stdin() {
        return process.stdin; // made only when read (RunOptions.stdin says why)
      },
      stdout: process.stdout,
      stderr,
      defaultCmsAuth: defaultCmsAuth(),
      terminal: terminalFor(spec),
      started: (u) => (unflushed = u),
      ...(progress ? { progress: (run: RunProgress) => progress.follow(run) } : {}),
    });
  } finally {
    progress?.stop();
    stop.dispose();
  }
  if (result.readerGone) return EXIT.readerGone;
  for (const s of result.sinks) {
    if (s.error) process.stderr.write(`error: ${s.error.message}; ${s.delivered} of ${s.delivered + s.dropped} messages delivered\n`);
    else if (s.dropped > 0) {
      process.stderr.write(`error: ${s.name}: ${s.dropped} of ${s.delivered + s.dropped} messages not delivered; last reason: ${s.failure ?? "unknown"}\n`);
    }
  }
  if (result.error) process.stderr.write(`error: ${result.error instanceof SourceError ? result.error.message : (result.error.stack ?? result.error.message)}\n`);
  process.stderr.write(result.report.summary() + "\n");
  return result.ok ? EXIT.ok : EXIT.failure;
}

/** What a forced exit leaves unflushed, e.g. `not flushed: victoriametrics http://...: 120 messages queued or in flight`. */
function lost(u: Unflushed | undefined): string {
  if (!u) return "output may be incomplete";
  const parts = u.sinks.filter((s) => s.pending > 0).map((s) => `${s.name}: ${s.pending} messages queued or in flight`);
  if (u.source) parts.unshift("the source had not finished draining (open stats windows not emitted yet)");
  return parts.length === 0 ? "every sink had flushed" : `not flushed: ${parts.join("; ")}`;
}
