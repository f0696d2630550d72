/**
 * Counts of attribute values in tumbling windows of several lengths at once, for a live view whose
 * window the user changes while it runs (`top`'s `+` and `-`): every length keeps its own recent
 * windows, so switching shows the new length's history at once instead of starting it empty.
 */

/** Window lengths `+` and `-` step through (each divides the next); `all` is the whole run. */
export const WINDOW_LADDER: readonly (number | "all")[] = [1e3, 5e3, 10e3, 30e3, 60e3, 300e3, 600e3, 1800e3, 3600e3, 6 * 3600e3, 86400e3, "all"];

export interface Window {
  /** Epoch ms; `end` exclusive. The `all` window spans the first to the last message (`end` inclusive). */
  start: number;
  end: number;
  /** Messages in the window. */
  total: number;
  /** Per attribute: count by value. */
  counts: Map<string, number>[];
}

interface Level {
  every: number | "all";
  windows: Map<number, Window>;
  /** The window the last message went to: most messages go to the same one. */
  last?: Window;
}

export class WindowCounts {
  readonly levels: readonly (number | "all")[];
  private readonly state: Level[];
  /** The latest time seen: the newest message, or the clock of a live stream. */
  private clock = -Infinity;
  private first = Infinity;
  private latest = -Infinity;

  /**
   * @param attributes how many attributes each message gives values for
   * @param history windows kept per length (the current one included): the sparkline's width
   * @param every a length to include besides {@link WINDOW_LADDER} (the one asked for)
   */
  constructor(
    private readonly attributes: number,
    private readonly history: number,
    every: number | "all",
  ) {
    const set = new Set<number | "all">([...WINDOW_LADDER, every]);
    this.levels = [...set].sort((a, b) => (a === "all" ? 1 : b === "all" ? -1 : a - b));
    this.state = this.levels.map((every) => ({ every, windows: new Map() }));
  }

  /** Counts one message at `time` with its value of each attribute. */
  add(time: number, values: readonly string[]): void {
    if (time < this.first) this.first = time;
    if (time > this.latest) this.latest = time;
    if (time > this.clock) this.clock = time;
    for (const level of this.state) {
      let w = level.last;
      if (!w || time < w.start || time >= w.end) {
        const start = level.every === "all" ? 0 : Math.floor(time / level.every) * level.every;
        w = level.windows.get(start);
        if (!w) {
          if (start < this.keepFrom(level)) continue; // older than every window kept (it still counts in `all`)
          level.windows.set(start, (w = { start, end: level.every === "all" ? Infinity : start + level.every, total: 0, counts: Array.from({ length: this.attributes }, () => new Map()) }));
          this.prune(level);
        }
        level.last = w;
      }
      w.total++;
      for (let i = 0; i < values.length; i++) w.counts[i].set(values[i], (w.counts[i].get(values[i]) ?? 0) + 1);
    }
  }

  /** Moves the clock of a live stream on: windows end on time without messages. */
  advance(now: number): void {
    if (now <= this.clock) return;
    this.clock = now;
    for (const level of this.state) this.prune(level);
  }

  /** The latest time seen (message or clock); -Infinity before any. */
  get now(): number {
    return this.clock;
  }

  /**
   * The windows of one length, oldest first, ending with the one that holds the clock (empty
   * windows included, as zero): `history` of them, fewer when the run is younger.
   */
  windows(level: number): Window[] {
    const { every, windows } = this.state[level];
    const empty = (start: number, end: number): Window => ({ start, end, total: 0, counts: Array.from({ length: this.attributes }, () => new Map()) });
    if (every === "all") {
      const w = windows.get(0);
      return this.first === Infinity ? [] : [{ ...(w ?? empty(0, 0)), start: this.first, end: this.latest }];
    }
    if (this.clock === -Infinity) return [];
    const current = Math.floor(this.clock / every) * every;
    const oldest = Math.max(current - (this.history - 1) * every, Math.floor(this.first / every) * every);
    const out: Window[] = [];
    for (let start = Math.min(oldest, current); start <= current; start += every) out.push(windows.get(start) ?? empty(start, start + every));
    return out;
  }

  /** The oldest window start a length keeps: `history` windows up to the clock's. */
  private keepFrom(level: Level): number {
    return level.every === "all" ? -Infinity : (Math.floor(this.clock / level.every) - (this.history - 1)) * level.every;
  }

  private prune(level: Level): void {
    const from = this.keepFrom(level);
    for (const start of level.windows.keys()) if (start < from) level.windows.delete(start);
  }
}
