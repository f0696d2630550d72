import type { Readable } from "node:stream";
import type { Observable, SchedulerLike } from "rxjs";
import type { Kind } from "../../lib/kind.ts";
import type { Message } from "../../lib/message.ts";
import type { ReadAheadRequest } from "./read_ahead.ts";

/** What a source gets from the pipeline besides its config. */
export type SourceCount = "reconnects" | "redelivered" | "outside_range";

export interface SourceContext {
  /** Aborted on SIGINT/SIGTERM: the source stops taking input and completes, so everything downstream flushes. */
  signal: AbortSignal;
  /** Time for pacing and arrival stamps (virtual in tests). */
  scheduler: SchedulerLike;
  /** Standard input; read it only from a source that reads it (see RunOptions.stdin). */
  stdin: Readable;
  /** Reports input that was skipped (e.g. a malformed recorded line) with where it was. */
  skipped(where: string, reason: string): void;
  /**
   * Counts what a source saw besides its messages, for the summary: `reconnects` of a live source
   * (each may have lost messages: core NATS is at-most-once), `redelivered` messages (JetStream),
   * `outside_range` (recorded messages before --since or after --until).
   */
  count(name: SourceCount): void;
  warn(text: string): void;
  /** The cms-auth file NATS connections fall back to ($HOME/.nats/cms-auth), known to the CLI. */
  defaultCmsAuth?: string;
  /** Set when someone shows progress: a finite source says once how to know where it is. */
  progress?(position: SourcePosition): void;
  /**
   * How long the pipeline may hold a message before its sinks have it: the longest stats window
   * (plus its lateness; Infinity for `every: all`), 0 without one. A durable source sizes its
   * redelivery wait by it.
   */
  holdMs: number;
  /**
   * Work a source still has once every sink has closed (its messages' receipts then settled): a
   * durable source sends its last acknowledgements and closes its connection. The run waits for it.
   */
  closing(finish: () => Promise<void>): void;
  /**
   * A promise to wait for when a sink is behind (delivering, but not keeping up), else undefined:
   * a source that can wait (a replay) asks between batches, so a slow server or disk paces it
   * instead of messages being dropped or piling up; a failing sink does not hold it up (it drops, counted).
   */
  waitForSinks(): Promise<void> | undefined;
  /**
   * Set when the run's first step is parse and it reads only some attributes (a select or stats
   * follows): a source that can (a replay) may read payloads ahead, and give messages with `decoded` set.
   */
  readAhead?: ReadAheadRequest;
}

/** How far a finite source is (a replay): for a progress display. */
export interface SourcePosition {
  /** Bytes read so far, of `totalBytes`. */
  bytes(): number;
  /** Unknown when a file is standard input. */
  totalBytes?: number;
  /** The recorded time the source ends at, when known without reading it all. */
  end?: number;
}

export interface SourceKind<Config> extends Kind<Config> {
  /** Messages are stamped with their arrival time: stats windows then close on the scheduler's clock too. */
  live(config: Config): boolean;
  /** Files it reads: no output may be one of them. */
  inputs?(config: Config): string[];
  /**
   * Several processes may read it together, sharing its messages (a queue group, a shared durable
   * consumer): each is then a worker, and metrics sinks label what each pushes with its name.
   */
  shared?(config: Config): boolean;
  create(config: Config, ctx: SourceContext): Observable<Message>;
}

/** Declares a source kind with its config type inferred from its schema. */
export function sourceKind<Config>(kind: SourceKind<Config>): SourceKind<Config> {
  return kind;
}

/** A source that cannot start or failed (file missing, server unreachable); `cause` is the underlying error. */
export class SourceError extends Error {
  override name = "SourceError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
