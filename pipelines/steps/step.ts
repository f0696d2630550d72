import type { OperatorFunction, SchedulerLike } from "rxjs";
import type { Kind } from "../../lib/kind.ts";
import type { Message, Shape } from "../../lib/message.ts";
import type { AttributeRef, AttributeScope } from "../../operators/attributes.ts";
import type { ParseFailure } from "../../operators/parse.ts";

/** A count the run reports in its summary line, e.g. `filtered=9349`. */
export interface Counter {
  n: number;
}

/**
 * `drop`: messages a step removes from the stream, so `in = out + (sum of drops)`, with `aggregated`
 * counting what a stats step turned into window rows; `rows`: window rows removed after stats;
 * `info`: anything else worth reporting (values skipped by a measure).
 */
export type CounterKind = "drop" | "aggregated" | "rows" | "info";

/** What a step gets from the pipeline besides its config. */
export interface StepContext {
  scheduler: SchedulerLike;
  /** The source stamps arrival times: stats windows also close on the scheduler's clock. */
  live: boolean;
  /** What reaches this step: the spec was checked, so it is one of the step's `accepts`. */
  input: Shape;
  /** Resolves an attribute name as the messages reaching this step have it (operators/attributes.ts). */
  attribute(name: string): AttributeRef;
  /** A counter of this run (created at zero on first use). */
  counter(name: string, kind: CounterKind): Counter;
  /** A payload that did not parse: counted, reported (rate-limited) and written to the dead-letter file. */
  parseFailed(failure: ParseFailure): void;
  /** Parse collects attribute names here, for "did you mean" hints at the end of the run. */
  keysSeen: Set<string>;
  /**
   * The attributes the run reads of parsed messages, when known (parse then keeps only those);
   * asked once the run starts, when every step exists.
   */
  attributesRead(): ReadonlySet<string> | undefined;
}

export interface StepKind<Config> extends Kind<Config> {
  /** What it can take. */
  accepts: readonly Shape[];
  /** What it gives for what it takes. */
  produces(input: Shape): Shape;
  /** The attributes after it, given those before it (undefined: unchanged). */
  scope?(config: Config, input: AttributeScope): AttributeScope;
  create(config: Config, ctx: StepContext): OperatorFunction<Message, Message>;
}

/** Declares a step kind with its config type inferred from its schema. */
export function stepKind<Config>(kind: StepKind<Config>): StepKind<Config> {
  return kind;
}
