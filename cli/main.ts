import { CommanderError, type Command } from "commander";
import { runPipeline, type Unflushed } from "../pipelines/run.ts";
import { SourceError } from "../pipelines/sources/source.ts";
import { type PipelineSpec, SpecError } from "../pipelines/spec.ts";
import { SinkError } from "../sinks/sink.ts";
import { goFlags } from "./go_flags.ts";

/** Exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** stdout's reader went away (`| head`): 128 + SIGPIPE, the status `yes | head` or `grep | head` leave. */
  readerGone: 141,
} as const;

/** A usage mistake found after the command line was read (e.g. conflicting flags). */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Runs a command line and exits with the code the README documents: 0 ok (also after Ctrl-C with
 * everything flushed), 1 runtime failure, 2 usage error. The one place that maps errors to exit codes.
 */
export async function main(cmd: Command, args: readonly string[]): Promise<never> {
  cmd.exitOverride().configureOutput({ outputError: (text, write) => write(text) });
  let code: number;
  try {
    await cmd.parseAsync(goFlags(args, cmd), { from: "user" });
    code = process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (err) {
    code = exitCode(err);
  }
  process.exit(code);
}

function exitCode(err: unknown): number {
  if (err instanceof CommanderError) {
    // help and version are successful exits; commander has already printed its message
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof SpecError || err instanceof UsageError) {
    process.stderr.write(`error: ${err.message}\n`);
    return EXIT.usage;
  }
  const known = err instanceof SourceError || err instanceof SinkError;
  process.stderr.write(`error: ${known ? (err as Error).message : (err as Error)?.stack ?? String(err)}\n`);
  return EXIT.failure;
}

/**
 * `npx` (npm exec) passes the terminal's Ctrl-C on to its child, which had it from the terminal
 * already: the same signal twice within this long is one request to stop, not a second one.
 */
const SAME_SIGNAL_MS = 200;

/**
 * Runs a pipeline until it ends or is stopped: the first SIGINT/SIGTERM stops the source and flushes
 * every stats window and sink; a second one exits at once, saying that output may be incomplete.
 * Prints the summary line to stderr; sets the exit code (0 when everything was delivered, else 1).
 */
export async function execute(spec: PipelineSpec): Promise<void> {
  const stop = new AbortController();
  let unflushed: (() => Unflushed) | undefined;
  let first: { signal: NodeJS.Signals; at: number } | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!first) {
      first = { signal, at: Date.now() };
      process.stderr.write(`${signal}: stopping, flushing every sink (again to exit at once)\n`);
      stop.abort();
      return;
    }
    if (signal === first.signal && Date.now() - first.at < SAME_SIGNAL_MS) return;
    process.stderr.write(`${signal} again: exiting without flushing; ${lost(unflushed?.())}\n`);
    process.exit(EXIT.failure);
  };
  process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
  try {
    const result = await runPipeline(spec, {
      signal: stop.signal,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      started: (u) => (unflushed = u),
    });
    if (result.readerGone) {
      process.exitCode = EXIT.readerGone;
      return;
    }
    for (const s of result.sinks) {
      if (s.error) process.stderr.write(`error: ${s.error.message}; ${s.delivered} of ${s.delivered + s.dropped} messages delivered\n`);
      else if (s.dropped > 0) {
        process.stderr.write(`error: ${s.name}: ${s.dropped} of ${s.delivered + s.dropped} messages not delivered; last reason: ${s.failure ?? "unknown"}\n`);
      }
    }
    if (result.error) process.stderr.write(`error: ${result.error.message}\n`);
    process.stderr.write(result.report.summary() + "\n");
    process.exitCode = result.ok ? EXIT.ok : EXIT.failure;
  } finally {
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
  }
}

/** What a forced exit leaves unflushed, e.g. `not flushed: victoriametrics http://...: 120 messages queued or in flight`. */
function lost(u: Unflushed | undefined): string {
  if (!u) return "output may be incomplete";
  const parts = u.sinks.filter((s) => s.pending > 0).map((s) => `${s.name}: ${s.pending} messages queued or in flight`);
  if (u.source) parts.unshift("the source had not finished draining (open stats windows not emitted yet)");
  return parts.length === 0 ? "every sink had flushed" : `not flushed: ${parts.join("; ")}`;
}
