import { hostname } from "node:os";
import type { Readable, Writable } from "node:stream";
import { asyncScheduler, type Observable, type SchedulerLike, Subject, type Subscription, tap } from "rxjs";
import { holdAll, type Message, messageCount, releaseAll } from "../lib/message.ts";
import { type AttributeRef, type AttributeScope, resolveAttribute } from "../operators/attributes.ts";
import { recordSink } from "../sinks/record.ts";
import { type Sink, type SinkContext, SinkError, type SinkKind, type SinkResult, type Terminal } from "../sinks/sink.ts";
import { type Plan, planPipeline, type Point } from "./check.ts";
import { sinks, sources, steps } from "./registry.ts";
import { Report } from "./report.ts";
import type { ReadAheadRequest } from "./sources/read_ahead.ts";
import type { SourceKind, SourcePosition } from "./sources/source.ts";
import { type PipelineSpec, SpecError, type StepSpec } from "./spec.ts";
import type { ParseConfig } from "./steps/parse.ts";
import type { SelectConfig } from "./steps/select.ts";
import { type StatsConfig, statsMeasures } from "./steps/stats.ts";
import type { StepContext, StepKind } from "./steps/step.ts";

export interface RunOptions {
  /** Abort to stop: the source completes, open stats windows and every sink flush, then the run resolves. */
  signal: AbortSignal;
  /**
   * Looked at only by a source that reads it (stdin, `replay -`): may be a getter, so that
   * process.stdin is not made for a run that does not read it. Node makes a pipe it opens as stdin
   * non-blocking, for every process that shares it: another reader of that pipe then fails (EAGAIN).
   */
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** @default asyncScheduler */
  scheduler?: SchedulerLike;
  /** The cms-auth file NATS connections fall back to ($HOME/.nats/cms-auth). */
  defaultCmsAuth?: string;
  /** The terminal, when stdout is one: for a sink that draws a screen (top). */
  terminal?(): Terminal | undefined;
  /** Called once, before the first message, by whoever shows progress, with how to follow the run. */
  progress?(run: RunProgress): void;
  /**
   * Called once the sinks are open, with a way to ask what the run has not flushed yet: for the
   * warning of a forced exit (a second Ctrl-C).
   */
  started?(unflushed: () => Unflushed): void;
}

/** How far a run is: for a progress display. */
export interface RunProgress {
  /** Messages read from the source so far. */
  messages(): number;
  /** The time of the latest message (recorded time on a replay). */
  lastTime(): number | undefined;
  /** Where a finite source (a replay) is in its files. */
  position(): SourcePosition | undefined;
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
  /** The stream itself failed (the source broke, a step threw); sinks were still flushed. */
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
  return (err as NodeJS.ErrnoException).code === "EPIPE" || (err.cause as NodeJS.ErrnoException | undefined)?.code === "EPIPE";
}

/**
 * Runs a pipeline spec to its end: checks it whole (check.ts: nothing runs and no file is touched
 * when it is wrong), makes the source, the steps and the sinks, fans every output message out to all
 * sinks, and closes every sink when the stream ends, fails or is stopped. One failing sink never
 * stops the others; an error in a step stops the stream, and every sink is still flushed.
 */
export async function runPipeline(input: PipelineSpec, opts: RunOptions): Promise<RunResult> {
  const plan = planPipeline(input);
  const { spec } = plan;
  const scheduler = opts.scheduler ?? asyncScheduler;
  const report = new Report(opts.stderr, () => scheduler.now());
  for (const name of ["skipped", "outside_range", "reconnects", "redelivered"]) report.counter(name, "source");
  const refs: AttributeRef[] = [];
  const keysSeen = new Set<string>();
  const resolver = (scope: AttributeScope, where: string) => (name: string) => {
    const ref = resolveAttribute(name, scope);
    if (scope.closed && !ref.envelope && !scope.names.includes(ref.key)) {
      throw new SpecError(where, `there is no attribute "${name}" here: the messages have ${scope.names.join(", ")} only`);
    }
    refs.push(ref);
    return ref;
  };

  // a sink may stop the run too (top's q), as a signal does
  const stopper = new AbortController();
  const signal = AbortSignal.any([opts.signal, stopper.signal]);
  const sourceKind = sources[spec.from.kind] as SourceKind<unknown>;
  const live = sourceKind.live(spec.from.config);
  const closers: (() => Promise<void>)[] = [];
  let targets: { sink: Sink; broken: SinkError | undefined; dropped: number; branch: Subject<Message> | undefined }[] = [];
  const worker = sourceKind.shared?.(spec.from.config) ? `${hostname()}-${process.pid}` : undefined;
  let position: SourcePosition | undefined;
  let lastTime: number | undefined;

  const sinkCtx = (i: number): SinkContext => {
    const { scope } = plan.sinks[i].input;
    return {
      stdout: opts.stdout,
      stderr: opts.stderr,
      columns: scope.closed ? scope.names : undefined,
      title: spec.title ?? [spec.from.where, ...input.steps.map((s) => s.where)].join(" "), // as written: no default parse
      warn: (t) => report.warn(t),
      scheduler,
      defaultCmsAuth: opts.defaultCmsAuth,
      attribute: resolver(scope, spec.to[i].where),
      live,
      counts: () => report.counts(),
      stop: () => stopper.abort("stopped"),
      signal,
      ...(worker ? { worker } : {}),
      ...(opts.terminal ? { terminal: opts.terminal } : {}),
    };
  };
  const dead = spec.deadLetter;
  const deadLetter = dead ? recordSink({ path: dead.path, append: false, overwrite: dead.overwrite }, sinkCtx(0)) : undefined;
  const operators = (list: readonly StepSpec[], points: readonly Point[]) =>
    list.map((s, i) => {
      const ctx: StepContext = {
        scheduler,
        live,
        input: points[i].shape,
        attribute: resolver(points[i].scope, s.where),
        counter: (name, kind) => report.counter(name, kind),
        parseFailed(failure) {
          report.parseFailure(failure);
          if (!deadLetter) return;
          holdAll(failure.message.receipts);
          try {
            deadLetter.write(failure.message);
          } catch {
            releaseAll(failure.message.receipts, false); // the file broke: reported at its close
          }
        },
        keysSeen,
        attributesRead: () => read,
      };
      return (steps[s.kind] as StepKind<unknown>).create(s.config, ctx);
    });
  const ops = operators(spec.steps, plan.steps);
  const branches = spec.to.map((s, i) => (s.steps?.length ? operators(s.steps, plan.sinks[i].steps) : undefined));
  const read = attributesRead(plan, refs);

  const source$ = sourceKind.create(spec.from.config, {
    signal,
    scheduler,
    get stdin() {
      return opts.stdin;
    },
    skipped: (where, reason) => report.skipped(where, reason),
    count: (name) => report.counter(name, "source").n++,
    warn: (t) => report.warn(t),
    defaultCmsAuth: opts.defaultCmsAuth,
    ...(opts.progress ? { progress: (p: SourcePosition) => (position = p) } : {}),
    holdMs: holdMs(spec),
    closing: (finish) => void closers.push(finish),
    waitForSinks: () => (behind() ? untilCaughtUp() : undefined),
    ...readAhead(plan, read),
  });
  /** A sink that delivers but is falling behind (see Sink.behind), which a source that can wait waits for. */
  const behind = () => targets.some((t) => !t.broken && t.sink.behind?.());
  const untilCaughtUp = () =>
    new Promise<void>((resolve) =>
      scheduler.schedule(function () {
        if (behind() && !signal.aborted) this.schedule(undefined, SINK_WAIT_MS);
        else resolve();
      }, SINK_WAIT_MS),
    );
  opts.progress?.({ messages: () => report.in.n, lastTime: () => lastTime, position: () => position });

  const opened: Sink[] = [];
  try {
    for (const [i, s] of spec.to.entries()) opened.push(await (sinks[s.kind] as SinkKind<unknown>).create(s.config, sinkCtx(i)));
  } catch (err) {
    await Promise.allSettled([...opened, ...(deadLetter ? [deadLetter] : [])].map((s) => s.close(false)));
    throw err;
  }

  targets = opened.map((sink, i) => ({ sink, broken: undefined as SinkError | undefined, dropped: 0, branch: branches[i] && new Subject<Message>() }));
  let sourceDone = false;
  let gone = false;
  opts.started?.(() => ({ source: !sourceDone, sinks: targets.filter((t) => !t.broken).map((t) => ({ name: t.sink.name, pending: t.sink.pending() })) }));
  const error = await new Promise<Error | undefined>((resolve) => {
    const counted = source$.pipe(
      tap((msg) => {
        report.in.n += messageCount(msg);
        lastTime = msg.time;
      }),
    );
    const subscriptions: Subscription[] = [];
    let pending = 1 + targets.filter((t) => t.branch).length;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      sourceDone = true;
      for (const sub of subscriptions) sub.unsubscribe();
      resolve(err);
    };
    /** The main stream or a branch has ended: the run is over when all have, or at once on an error. */
    const ended = (err?: Error) => {
      if (err) finish(err);
      else if (--pending === 0) finish();
    };
    /** A sink broke: the others go on; when none is left there is nowhere to deliver, so the run stops. */
    const broke = (t: (typeof targets)[number], err: Error) => {
      t.broken = err instanceof SinkError ? err : new SinkError(t.sink.name, err.message, { cause: err });
      const allBroken = targets.every((o) => o.broken);
      gone = allBroken && targets.every((o) => readerGone(o.broken!));
      if (!gone) report.warn(`${t.sink.name}: failed${allBroken ? "" : ", the other sinks go on"}: ${err.message}`);
      if (!allBroken) return;
      if (!gone) report.warn("every sink has failed: stopping");
      finish(gone ? undefined : new Error("every sink failed, so the run stopped"));
    };
    const deliver = (t: (typeof targets)[number], msg: Message) => {
      // the sink holds the message's receipts until it has delivered it (or gave it up)
      holdAll(msg.receipts);
      if (t.broken) {
        t.dropped++;
        releaseAll(msg.receipts, false);
        return;
      }
      try {
        t.sink.write(msg);
      } catch (err) {
        t.dropped++;
        releaseAll(msg.receipts, false);
        broke(t, err as Error);
      }
    };
    const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));
    for (const [i, t] of targets.entries()) {
      if (!t.branch) continue;
      const branch$ = branches[i]!.reduce((o$, op) => op(o$), t.branch as Observable<Message>);
      subscriptions.push(branch$.subscribe({ next: (msg) => deliver(t, msg), error: (err) => ended(asError(err)), complete: () => ended() }));
    }
    subscriptions.push(
      (ops.reduce((o$, op) => op(o$), counted) as Observable<Message>).subscribe({
        next(msg) {
          report.out.n++;
          for (const t of targets) {
            if (t.branch) t.branch.next(msg);
            else deliver(t, msg);
          }
        },
        error: (err) => {
          for (const t of targets) t.branch?.complete();
          ended(asError(err));
        },
        complete: () => {
          for (const t of targets) t.branch?.complete();
          ended();
        },
      }),
    );
    if (done) for (const sub of subscriptions) sub.unsubscribe(); // it ended while subscribing
  });

  const completed = error === undefined && !gone;
  const closing = targets.map(async (t): Promise<SinkOutcome> => {
    try {
      const r = await t.sink.close(completed);
      return { name: t.sink.name, ...r, dropped: r.dropped + t.dropped, ...(t.broken ? { error: t.broken } : {}) };
    } catch (err) {
      // what a broken sink still delivered, when it knows; else all it was given is counted lost
      const r = err instanceof SinkError && err.result ? err.result : { delivered: 0, dropped: report.out.n - t.dropped };
      return { name: t.sink.name, delivered: r.delivered, dropped: r.dropped + t.dropped, error: err as Error };
    }
  });
  const outcomes = await Promise.all(closing);
  // stdout's reader may also go away while the last output is written
  gone ||= outcomes.length > 0 && outcomes.every((o) => o.error && readerGone(o.error));
  if (deadLetter) outcomes.push({ ...(await closeDeadLetter(deadLetter, completed)), name: deadLetter.name });
  // the sinks have settled every receipt they held: a durable source can acknowledge and close
  const closed = await Promise.allSettled(closers.map((f) => f()));
  if (!gone) report.unmatched(refs, keysSeen);
  const closeError = closed.flatMap((r) => (r.status === "rejected" && r.reason instanceof Error ? [r.reason] : []))[0];
  const failed = error ?? closeError;
  const ok = !failed && outcomes.every((o) => !o.error && o.dropped === 0);
  return { report, sinks: outcomes, error: failed, ok, ...(gone ? { readerGone: true } : {}) };
}

/**
 * The attributes of parsed messages the run reads, when that is known: parse comes first and a step
 * that fixes the attributes (select, stats) follows in the main steps, so every later step and sink
 * sees only what that step makes; up to it, steps read attributes only through their resolved names
 * (`refs`, all made once the steps are). Undefined when something may read a whole record.
 */
function attributesRead(plan: Plan, refs: readonly AttributeRef[]): ReadonlySet<string> | undefined {
  const [first] = plan.spec.steps;
  if (first?.kind !== "parse" || !plan.spec.steps.some(fixesAttributes)) return undefined;
  return new Set(refs.map((r) => r.key));
}

const fixesAttributes = (s: StepSpec) => s.kind === "stats" || s.kind === "select";

/**
 * What a source may read ahead (see SourceContext.readAhead): the attributes the run reads, unless
 * their order matters (a select in payload order: messages read ahead have them in another order).
 * When stats come right after parse and only count (by attributes of the payload), the source may
 * count runs of messages ahead as well (a Tally, lib/message.ts).
 */
function readAhead(plan: Plan, read: ReadonlySet<string> | undefined): { readAhead?: ReadAheadRequest } {
  const [first, second] = plan.spec.steps;
  const fixing = plan.spec.steps.find(fixesAttributes);
  if (!read || (fixing?.kind === "select" && (fixing.config as SelectConfig).order === "payload")) return {};
  const { format, sep, keys } = first.config as ParseConfig;
  const request: ReadAheadRequest = { parse: { format, sep, keys }, keep: [...read] };
  // a limit stops the run at a row, after as many messages as one by one: not after whole runs of them
  if (second?.kind === "stats" && !plan.spec.steps.some((s) => s.kind === "limit")) {
    const stats = second.config as StatsConfig;
    const by = stats.by.map((name) => resolveAttribute(name, plan.steps[1].scope));
    if (statsMeasures(stats).length === 1 && !by.some((r) => r.envelope)) request.tally = { by: by.map((r) => r.key), every: stats.every };
  }
  return { readAhead: request };
}

/** How often a source waiting for a sink that is behind looks again. */
const SINK_WAIT_MS = 5;

/** The longest a message may wait in the pipeline's stats windows before the sinks get it. */
function holdMs(spec: PipelineSpec): number {
  const stats = [...spec.steps, ...spec.to.flatMap((s) => s.steps ?? [])].filter((s) => s.kind === "stats");
  return Math.max(0, ...stats.map((s) => (s.config.every === "all" ? Infinity : s.config.every + (s.config.lateness ?? 0))));
}

/** The dead-letter file is a sink like the others for its outcome: a failure to write it is reported. */
async function closeDeadLetter(sink: Sink, completed: boolean): Promise<SinkResult & { error?: Error }> {
  try {
    return await sink.close(completed);
  } catch (err) {
    const r = err instanceof SinkError && err.result ? err.result : { delivered: 0, dropped: 0 };
    return { ...r, error: err as Error };
  }
}
