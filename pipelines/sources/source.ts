import type { Readable } from "node:stream";
import type { SchedulerLike } from "rxjs";

/** What a source gets from the pipeline besides its config. */
export interface SourceContext {
  /** Aborted on SIGINT/SIGTERM: the source stops taking input and completes, so everything downstream flushes. */
  signal: AbortSignal;
  /** Time for pacing and arrival stamps (virtual in tests). */
  scheduler: SchedulerLike;
  stdin: Readable;
  /** Reports input that was skipped (e.g. a malformed recorded line) with where it was. */
  skipped(where: string, reason: string): void;
  /** Counts a reconnect of a live source (each one may have lost messages: core NATS is at-most-once). */
  reconnected(): void;
  warn(text: string): void;
}

/** A source that cannot start (file missing, server unreachable); `cause` is the underlying error. */
export class SourceError extends Error {
  override name = "SourceError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
