/**
 * The contract every sink keeps: `write` is synchronous and cheap (it only queues), `pending` says
 * what is queued and not yet delivered, `close` flushes everything written, releases the sink and
 * says how much was delivered.
 */
import type { Writable } from "node:stream";
import type { Message } from "../operators/message.ts";

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
  /**
   * Flushes and releases. Resolves with the counts, also when some messages were given up on
   * (`dropped` > 0 makes the run fail); rejects with {@link SinkError} only when the sink itself
   * broke (a file that cannot be written).
   */
  close(): Promise<SinkResult>;
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
  /** Column names the pipeline knows it produces (from `select` or `stats`), for tabular sinks. */
  columns?: readonly string[];
  /** Reports a problem on stderr without stopping the stream. */
  warn(text: string): void;
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
