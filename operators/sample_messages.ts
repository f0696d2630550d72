import { filter, type OperatorFunction } from "rxjs";
import type { Message } from "../lib/message.ts";
import { prng } from "../lib/prng.ts";

/**
 * Keeps about `fraction` of the messages, chosen by a seeded pseudo-random sequence: the same input
 * in the same order keeps the same messages for the same seed, so a sampled replay is as
 * reproducible as a whole one. Each left-out message goes to `onDrop`. Completes with the source.
 */
export function sampleMessages(fraction: number, seed: number, onDrop?: (msg: Message) => void): OperatorFunction<Message, Message> {
  return (source) => {
    const next = prng(seed); // one sequence per subscription
    return source.pipe(
      filter((msg) => {
        if (next() < fraction) return true;
        onDrop?.(msg);
        return false;
      }),
    );
  };
}
