/** A SinkContext for a sink under test: stdout and stderr collected as text, warnings kept. */
import { PassThrough, type Writable } from "node:stream";
import { asyncScheduler } from "rxjs";
import { PAYLOAD_SCOPE, resolveAttribute } from "../../operators/attributes.ts";
import type { SinkContext } from "../../sinks/sink.ts";

export interface TestContext extends SinkContext {
  out(): string;
  err(): string;
  warnings: string[];
}

export function sinkContext(overrides: Partial<SinkContext> = {}): TestContext {
  let out = "";
  let err = "";
  const collect = (into: (text: string) => void): Writable => new PassThrough().on("data", (c: Buffer) => into(c.toString()));
  const warnings: string[] = [];
  return {
    stdout: collect((t) => (out += t)),
    stderr: collect((t) => (err += t)),
    title: "test",
    warn: (t) => void warnings.push(t),
    scheduler: asyncScheduler,
    attribute: (name) => resolveAttribute(name, PAYLOAD_SCOPE),
    live: false,
    counts: () => ({}),
    stop: () => undefined,
    signal: new AbortController().signal,
    ...overrides,
    out: () => out,
    err: () => err,
    warnings,
  };
}
