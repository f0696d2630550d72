import type { Writable } from "node:stream";
import type { ParseFailure } from "../operators/parse.ts";
import type { AttributeRef } from "../operators/attributes.ts";
import { closest, shorten } from "../lib/text.ts";
import type { Counter, CounterKind } from "./steps/step.ts";

/** At most this many lines of one kind of problem per minute; the rest are only counted. */
const LINES_PER_MINUTE = 10;

interface Entry extends Counter {
  kind: CounterKind | "in" | "out" | "source";
}

/**
 * Counts what a run does and reports problems on stderr without flooding it: each kind of problem
 * prints its first lines each minute, then says it is holding back; every one is still counted and
 * appears in the summary line. Counters are open: a step asks for one by name and kind, and the
 * summary prints `in`, every counter that is not zero (in the order they were made) and `out`.
 * For the messages, `in = out + (the drop counters) + aggregated`; window rows removed after stats
 * are `rows` counters.
 */
export class Report {
  private readonly counters = new Map<string, Entry>();
  private readonly budget = new Map<string, { minute: number; lines: number }>();
  /** Messages read from the source. */
  readonly in: Counter = this.counter("in", "in");
  /** Records delivered to the sinks. */
  readonly out: Counter = this.counter("out", "out");

  constructor(
    private readonly stderr: Writable,
    private readonly now: () => number,
  ) {}

  counter(name: string, kind: Entry["kind"]): Counter {
    let c = this.counters.get(name);
    if (!c) this.counters.set(name, (c = { n: 0, kind }));
    return c;
  }

  /** Every counter by name (of one kind, when given). */
  counts(kind?: Entry["kind"]): Record<string, number> {
    return Object.fromEntries([...this.counters].filter(([, c]) => kind === undefined || c.kind === kind).map(([name, c]) => [name, c.n]));
  }

  warn(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  parseFailure(f: ParseFailure): void {
    this.counter("parse_errors", "drop").n++;
    this.limited("parse error", `parse error on ${f.message.subject}: ${f.reason}: '${shorten(f.message.data, 80)}'`);
  }

  skipped(where: string, reason: string): void {
    this.counter("skipped", "source").n++;
    this.limited("skipped line", `${where}: ${reason}; line skipped`);
  }

  /** Attribute names steps used that no message of the run had, each with the nearest name seen. */
  unmatched(refs: readonly AttributeRef[], seen: ReadonlySet<string>): void {
    const reported = new Set<string>();
    for (const ref of refs) {
      if (ref.found || !ref.used || ref.envelope || reported.has(ref.name)) continue;
      reported.add(ref.name);
      const near = closest(ref.name, seen);
      this.warn(`${ref.name}: no message had it${near ? `; did you mean ${near}?` : seen.size > 0 ? `; the messages had ${[...seen].slice(0, 12).join(", ")}` : ""}`);
    }
  }

  /** One logfmt line, e.g. `summary in=20400 parse_errors=400 filtered=9349 out=10651`. */
  summary(): string {
    const fields = [`in=${this.in.n}`];
    for (const [name, c] of this.counters) if (c.kind !== "in" && c.kind !== "out" && c.n !== 0) fields.push(`${name}=${c.n}`);
    fields.push(`out=${this.out.n}`);
    return `summary ${fields.join(" ")}`;
  }

  private limited(kind: string, line: string): void {
    const minute = Math.floor(this.now() / 60_000);
    let b = this.budget.get(kind);
    if (!b || b.minute !== minute) this.budget.set(kind, (b = { minute, lines: 0 }));
    b.lines++;
    if (b.lines <= LINES_PER_MINUTE) this.warn(line);
    else if (b.lines === LINES_PER_MINUTE + 1) this.warn(`more ${kind}s this minute are counted but not shown`);
  }
}
