import type { Readable, Writable } from "node:stream";
import { asyncScheduler, type Observable, type OperatorFunction, type SchedulerLike, type Subscription, tap } from "rxjs";
import type { Message } from "../operators/message.ts";
import { recordSink } from "../sinks/record.ts";
import { type Sink, type SinkContext, SinkError, type SinkResult } from "../sinks/sink.ts";
import type { Kind } from "./kind.ts";
import { sinks, sources } from "./registry.ts";
import { Report } from "./report.ts";
import type { SourceContext } from "./sources/source.ts";
import type { PipelineSpec } from "./spec.ts";
import { type StepContext, steps } from "./steps.ts";

export interface RunOptions {
  /** Abort to stop: the source completes, open stats windows and every sink flush, then the run resolves. */
  signal: AbortSignal;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** @default asyncScheduler */
  scheduler?: SchedulerLike;
  /**
   * Called once the sinks are open, with a way to ask what the run has not flushed yet: for the
   * warning of a forced exit (a second Ctrl-C).
   */
  started?(unflushed: () => Unflushed): void;
}

/** What a run holds that exiting now would lose. */
export interface Unflushed {
  /** The source has not completed: e.g. a NATS subscription still draining, so open stats windows are not emitted yet. */
  source: boolean;
  /** Per sink not broken, messages written to it and not yet handed on (see {@link Sink.pending}). */
  sinks: { name: string; pending: number }[];
}

export interface SinkOutcome extends SinkResult {
  name: string;
  error?: Error;
}

export interface RunResult {
  report: Report;
  sinks: SinkOutcome[];
  /** The stream itself failed (e.g. the source broke); sinks were still flushed. */
  error?: Error;
  /** True when everything was delivered: no stream error, no sink failure, nothing dropped. */
  ok: boolean;
  /**
   * Every sink wrote to stdout and its reader went away (EPIPE: `nats-sub | head -3`): the run
   * stopped as a Unix filter stops, and nothing about it is worth reporting.
   */
  readerGone?: boolean;
}

/** A write to a pipe whose reading end was closed. */
function readerGone(err: Error): boolean {
  return (err as NodeJS.ErrnoException).code === "EPIPE" || ((err.cause as NodeJS.ErrnoException | undefined)?.code === "EPIPE");
}

/**
 * Runs a pipeline spec to its end: opens the sinks (so a bad path fails before any data flows),
 * subscribes the source through the steps, fans every output message out to all sinks, and closes
 * every sink when the stream ends, fails or is stopped. One failing sink never stops the others.
 */
export async function runPipeline(spec: PipelineSpec, opts: RunOptions): Promise<RunResult> {
  const scheduler = opts.scheduler ?? asyncScheduler;
  const report = new Report(opts.stderr);
  const sourceKind = sources[spec.from.kind] as Kind<unknown, SourceContext, Observable<Message>> & { live: boolean };
  const sinkCtx: SinkContext = { stdout: opts.stdout, columns: outputColumns(spec), warn: (t) => report.warn(t) };

  const opened: Sink[] = [];
  let deadLetter: Sink | undefined;
  let source$: Observable<Message>;
  try {
    for (const s of spec.to) opened.push((sinks[s.kind] as Kind<unknown, SinkContext, Sink>).create(s.config, sinkCtx));
    if (spec.deadLetter) deadLetter = recordSink({ path: spec.deadLetter, append: false }, sinkCtx);
    source$ = sourceKind.create(spec.from.config, {
      signal: opts.signal,
      scheduler,
      stdin: opts.stdin,
      skipped: (where, reason) => report.skipped(where, reason),
      reconnected: () => report.counts.reconnects++,
      warn: (t) => report.warn(t),
    });
  } catch (err) {
    await Promise.allSettled([...opened, ...(deadLetter ? [deadLetter] : [])].map((s) => s.close()));
    throw err;
  }

  const stepCtx: StepContext = {
    scheduler,
    live: sourceKind.live,
    onParseError(failure) {
      report.parseFailure(failure);
      deadLetter?.write(failure.message);
    },
    onFiltered: () => report.counts.filtered++,
  };
  const ops: OperatorFunction<Message, Message>[] = spec.steps.map((s) =>
    (steps[s.kind] as Kind<unknown, StepContext, OperatorFunction<Message, Message>>).create(s.config, stepCtx),
  );

  const targets = opened.map((sink) => ({ sink, broken: undefined as SinkError | undefined, dropped: 0 }));
  let sourceDone = false;
  let gone = false;
  opts.started?.(() => ({ source: !sourceDone, sinks: targets.filter((t) => !t.broken).map((t) => ({ name: t.sink.name, pending: t.sink.pending() })) }));
  const error = await new Promise<Error | undefined>((resolve) => {
    const counted = source$.pipe(tap(() => report.counts.in++));
    let subscription: Subscription | undefined;
    let allBroken = false;
    /** A sink broke: the others go on; when none is left there is nowhere to deliver, so the run stops. */
    const broke = (t: (typeof targets)[number], err: Error) => {
      t.broken = err instanceof SinkError ? err : new SinkError(t.sink.name, err.message, { cause: err });
      allBroken = targets.every((o) => o.broken);
      gone = allBroken && targets.every((o) => readerGone(o.broken!));
      if (!gone) report.warn(`${t.sink.name}: failed${allBroken ? "" : ", the other sinks go on"}: ${err.message}`);
      if (!allBroken) return;
      if (!gone) report.warn("every sink has failed: stopping");
      subscription?.unsubscribe();
      sourceDone = true;
      resolve(gone ? undefined : new Error("every sink failed, so the run stopped"));
    };
    subscription = (ops.reduce((o$, op) => op(o$), counted) as Observable<Message>).subscribe({
      next(msg) {
        report.counts.out++;
        for (const t of targets) {
          if (t.broken) {
            t.dropped++;
            continue;
          }
          try {
            t.sink.write(msg);
          } catch (err) {
            t.dropped++;
            broke(t, err as Error);
          }
        }
      },
      error: (err) => {
        sourceDone = true;
        resolve(err instanceof Error ? err : new Error(String(err)));
      },
      complete: () => {
        sourceDone = true;
        resolve(undefined);
      },
    });
    if (allBroken) subscription.unsubscribe();
  });

  const closing = targets.map(async (t): Promise<SinkOutcome> => {
    try {
      const r = await t.sink.close();
      return { name: t.sink.name, ...r, dropped: r.dropped + t.dropped, ...(t.broken ? { error: t.broken } : {}) };
    } catch (err) {
      // what a broken sink still delivered, when it knows; else all it was given is counted lost
      const r = err instanceof SinkError && err.result ? err.result : { delivered: 0, dropped: report.counts.out - t.dropped };
      return { name: t.sink.name, delivered: r.delivered, dropped: r.dropped + t.dropped, error: err as Error };
    }
  });
  const outcomes = await Promise.all(closing);
  if (deadLetter) await deadLetter.close();
  const ok = !error && outcomes.every((o) => !o.error && o.dropped === 0);
  return { report, sinks: outcomes, error, ok, ...(gone ? { readerGone: true } : {}) };
}

/** The columns the last shaping step declares (select or stats), for tabular sinks. */
function outputColumns(spec: PipelineSpec): readonly string[] | undefined {
  let columns: readonly string[] | undefined;
  for (const s of spec.steps) {
    const step = steps[s.kind] as { columns(config: unknown, input: readonly string[] | undefined): readonly string[] | undefined };
    columns = step.columns(s.config, columns);
  }
  return columns;
}
