import type { Writable } from "node:stream";
import type { ParseFailure } from "../operators/parse.ts";
import { shorten } from "../operators/payload.ts";

/** What a run counted; `in = parse_errors + filtered + out` when there is no stats step. */
export interface Counts {
  in: number;
  parse_errors: number;
  filtered: number;
  out: number;
  /** Recorded lines that could not be read (replay). */
  skipped: number;
  /** Reconnects of a live source; messages published meanwhile were lost. */
  reconnects: number;
}

/** At most this many lines of one kind of problem per minute; the rest are only counted. */
const LINES_PER_MINUTE = 10;

/**
 * Counts what a run does and reports problems on stderr without flooding it: each kind of problem
 * prints its first lines each minute, then says it is holding back; every one is still counted and
 * appears in the summary line.
 */
export class Report {
  readonly counts: Counts = { in: 0, parse_errors: 0, filtered: 0, out: 0, skipped: 0, reconnects: 0 };
  private readonly budget = new Map<string, { minute: number; lines: number }>();

  constructor(
    private readonly stderr: Writable,
    private readonly now: () => number = Date.now,
  ) {}

  warn(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  parseFailure(f: ParseFailure): void {
    this.counts.parse_errors++;
    this.limited("parse error", `parse error on ${f.message.subject}: ${f.reason}: '${shorten(f.message.data, 80)}'`);
  }

  skipped(where: string, reason: string): void {
    this.counts.skipped++;
    this.limited("skipped line", `${where}: ${reason}; line skipped`);
  }

  /** One logfmt line, e.g. `summary in=20400 parse_errors=400 filtered=11428 out=8572`. */
  summary(extra: Record<string, number> = {}): string {
    const { skipped, reconnects, ...main } = this.counts;
    // the rare counts appear only when they happened, so the usual line stays short
    const fields: Record<string, number> = { ...main, ...(skipped > 0 ? { skipped } : {}), ...(reconnects > 0 ? { reconnects } : {}), ...extra };
    return "summary " + Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(" ");
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
