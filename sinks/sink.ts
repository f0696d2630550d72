/**
 * The contract every sink keeps: `write` is synchronous and cheap (it only queues), `pending` says
 * what is queued and not yet delivered, `close` flushes everything written, releases the sink and
 * says how much was delivered. A sink kind describes itself (lib/kind.ts) and says what it accepts
 * and which files it writes, so a pipeline is checked before anything runs.
 */
import type { Writable } from "node:stream";
import type { ReadStream, WriteStream } from "node:tty";
import type { SchedulerLike } from "rxjs";
import type { Kind } from "../lib/kind.ts";
import type { Message, Shape } from "../lib/message.ts";
import type { AttributeRef } from "../operators/attributes.ts";

export interface Sink {
  /** Names the sink in reports, e.g. `csv out.csv`. */
  readonly name: string;
  /**
   * Queues one message. Never throws for a delivery failure: that is counted and reported. Throws
   * only once the sink itself is broken (its file or stdout failed: ENOSPC, EPIPE); the pipeline then
   * stops writing to it, counts what it did not get and goes on with the other sinks.
   */
  write(msg: Message): void;
  /**
   * Messages written and not yet handed on (buffered, queued, in flight): what exiting now would
   * lose. Cheap; asked for the warning of a forced exit.
   */
  pending(): number;
  /** True while it delivers but cannot keep up (a queue half full, a file or pipe with megabytes unwritten): a source that can wait (a replay) waits. */
  behind?(): boolean;
  /**
   * Flushes and releases. `completed`: the stream ended normally, so a sink with nothing written
   * may still create its file (a CSV's header); after a failure it leaves files as they were.
   * Resolves with the counts, also when some messages were given up on (`dropped` > 0 makes the run
   * fail); rejects with {@link SinkError} only when the sink itself broke (a file that cannot be written).
   */
  close(completed: boolean): Promise<SinkResult>;
}

export interface SinkResult {
  /** Messages handed on to the destination. */
  delivered: number;
  /** Messages given up on (destination failed, queue full); reported, never silent. */
  dropped: number;
  /** Why the last message was given up on, when any was. */
  failure?: string;
}

/** What a sink gets from the pipeline besides its config. */
export interface SinkContext {
  /** Where `-` (stdout) output goes. */
  stdout: Writable;
  /** Where the console writes what the Go nats-sub wrote on stderr (the `count(...)` line of stats). */
  stderr: Writable;
  /** Column names the pipeline knows it produces (from `select` or `stats`), for tabular sinks. */
  columns?: readonly string[];
  /** The pipeline's title, e.g. for a chart: its steps as written. */
  title: string;
  /** Reports a problem on stderr without stopping the stream. */
  warn(text: string): void;
  /** Timers (flush intervals, retry backoff): virtual in tests. */
  scheduler: SchedulerLike;
  /** The cms-auth file NATS connections fall back to ($HOME/.nats/cms-auth), known to the CLI. */
  defaultCmsAuth?: string;
  /** Resolves an attribute name the sink's config uses (a subject template's `{Site}`) as the steps do. */
  attribute(name: string): AttributeRef;
  /** The source stamps messages with their arrival time (a live stream), not a recorded one. */
  live: boolean;
  /** The run's counters so far (`in`, `parse_errors`, `reconnects`...), for a live view. */
  counts(): Readonly<Record<string, number>>;
  /** Asks the run to stop as Ctrl-C does: the source ends, then every sink flushes and closes. */
  stop(): void;
  /** Aborted once the run is asked to stop (Ctrl-C, SIGTERM, {@link stop}). */
  signal: AbortSignal;
  /**
   * This process's name among workers sharing a source (`host-pid`), when the source is shared: a
   * metrics sink labels its series with it, so that the workers' series add up instead of
   * overwriting one another.
   */
  worker?: string;
  /** The terminal, when stdout is one (the CLI's to give): for a sink that draws a screen and reads keys. */
  terminal?(): Terminal | undefined;
}

/** A terminal to draw on and read keys from: the CLI knows which, and how to give it back as it was. */
export interface Terminal {
  output: WriteStream;
  /** Keys: stdin, or /dev/tty when stdin carries the messages. */
  input: ReadStream;
  /** Switches to a screen of its own (the alternate screen), given back on leave, exit or crash. */
  enter(): void;
  leave(): void;
  /** What Ctrl-C does outside raw mode: the run's first stop, or an exit at once on the second. */
  interrupt(): void;
}

/** A file a sink will write: checked before the run (not the input, not overwritten by accident). */
export interface OutputFile {
  path: string;
  /** Adds to the file; what it held stays. */
  append: boolean;
  /** Replacing a non-empty file was asked for (`overwrite: true`, `--force`). */
  overwrite: boolean;
}

export interface SinkKind<Config> extends Kind<Config> {
  /** What it can take: a sink that takes only window rows needs a stats step before it. */
  accepts(config: Config): readonly Shape[];
  /** The files it writes (none for servers and stdout). */
  outputs?(config: Config): OutputFile[];
  /**
   * What it writes to stdout: `lines` (console, `csv:-`...), or the whole `screen` (top: a terminal
   * view nothing else may write into). Nothing when left out.
   */
  stdout?(config: Config): "lines" | "screen" | undefined;
  create(config: Config, ctx: SinkContext): Sink | Promise<Sink>;
}

/** Declares a sink kind with its config type inferred from its schema. */
export function sinkKind<Config>(kind: SinkKind<Config>): SinkKind<Config> {
  return kind;
}

/** A sink that failed for good; `cause` is the underlying error. */
export class SinkError extends Error {
  override name = "SinkError";
  /** What the sink had delivered before it broke, when it knows. */
  readonly result?: SinkResult;
  constructor(
    readonly sink: string,
    message: string,
    options?: { cause?: unknown; result?: SinkResult },
  ) {
    super(`${sink}: ${message}`, options);
    this.result = options?.result;
  }
}
