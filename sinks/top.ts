import * as z from "zod";
import { duration } from "../lib/duration.ts";
import { type Message, releaseAll } from "../lib/message.ts";
import { loadDescriptions } from "./terminal/descriptions.ts";
import { topModel, type TopState } from "./terminal/top_model.ts";
import type { TopKey } from "./terminal/top_screen.tsx";
import { WindowCounts } from "./terminal/window_counts.ts";
import { LineWriter } from "./line_writer.ts";
import { type Sink, type SinkContext, SinkError, sinkKind, type Terminal } from "./sink.ts";

const names = z.preprocess((v) => (typeof v === "string" ? v.split(",").map((s) => s.trim()) : v), z.array(z.string().min(1)).min(1));

export const topConfig = z.strictObject({
  by: names.describe("attributes to show a table of top values for (arrows or tab choose one)").meta({ examples: ["[exitCode, site]"] }),
  every: z
    .union([z.literal("all"), duration])
    .prefault("10s")
    .describe("window length (aligned to the epoch; + and - change it while it runs), or all: the whole run"),
  top: z.number().int().positive().default(10).describe("rows per table, most (fewer when the terminal is small)"),
  history: z.number().int().min(1).max(120).default(24).describe("windows in each sparkline, the shown one last"),
  codes: z.string().min(1).optional().describe("descriptions of values: a `code: description` file or URL (the CMS exit-code lists); the view works without it"),
  codes_for: z.string().min(1).default("exitCode").describe("the attribute the descriptions are of"),
  columns: z.number().int().min(40).default(100).describe("width of the frames printed when stdout is not a terminal"),
});
export type TopConfig = z.infer<typeof topConfig>;

/** How often the screen is redrawn from the counts (they take every message as it comes); a key redraws at once. */
export const REDRAW_MS = 1000;

/**
 * A live view of the stream: per attribute, the top values of the current window with count, share
 * and a sparkline of the windows before (sinks/terminal/). On a terminal it redraws in place and reads
 * keys (q quits, p pauses, + and - change the window, arrows and tab choose the attribute); when the
 * stream ends by itself it stays on the last frame until q. Elsewhere (a pipe, a file) it prints
 * each window as a plain-text frame when the window closes, and the last one at the end.
 */
export async function topSink(config: TopConfig, ctx: SinkContext): Promise<Sink> {
  const refs = config.by.map(ctx.attribute);
  const codesKey = config.codes === undefined ? undefined : ctx.attribute(config.codes_for).key;
  let descriptions: Map<string, string> | undefined;
  if (config.codes !== undefined) {
    try {
      descriptions = await loadDescriptions(config.codes);
    } catch (err) {
      // a list on the network may be down; a file that is not there is a typo worth stopping for
      if (!/^https?:/i.test(config.codes)) throw new SinkError("top", `cannot read the codes file ${config.codes}: ${(err as Error).message}`, { cause: err });
      ctx.warn(`top: the codes list ${config.codes} could not be fetched (${(err as Error).message}); going on without descriptions`);
    }
  }
  const counts = new WindowCounts(refs.length, config.history, config.every);
  const screen = await import("./terminal/screens.tsx"); // Ink and React are compiled only when a view is drawn
  const ui = { level: counts.levels.indexOf(config.every), selected: 0, paused: false };
  const state = (status: string): TopState => ({
    title: ctx.title,
    level: ui.level,
    selected: ui.selected,
    status,
    top: config.top,
    names: config.by,
    descriptions: refs.map((r) => (r.key === codesKey ? descriptions : undefined)),
    counters: ctx.counts(),
  });
  const values = new Array<string>(refs.length);
  let n = 0;
  const count = (msg: Message) => {
    n++;
    releaseAll(msg.receipts, true); // a view: shown is all it does with a message
    for (let i = 0; i < refs.length; i++) values[i] = String(refs[i].get(msg) ?? "");
    counts.add(msg.time, values);
  };
  const terminal = ctx.terminal?.();
  return terminal ? live(terminal) : frames();

  /** On a terminal: redrawn in place, keys read, until the run stops or q after the end. */
  function live(term: Terminal): Sink {
    let quit = false;
    let ended: (() => void) | undefined;
    const status = () => (ui.paused ? "paused" : ended ? "ended: q to quit" : ctx.live ? "live" : "replay");
    term.enter();
    const view = screen.mountScreen(term, onKey);
    let drawnAt = -1;
    const draw = () => {
      drawnAt = n;
      view.update(topModel(counts, state(status())));
    };
    const tick = ctx.scheduler.schedule(function () {
      // a live clock moves the windows on; otherwise only new messages change the screen
      if (ctx.live && !ended) counts.advance(ctx.scheduler.now());
      if (!ui.paused && ((ctx.live && !ended) || n !== drawnAt)) draw();
      this.schedule(undefined, REDRAW_MS);
    }, REDRAW_MS);
    draw();
    function onKey(key: TopKey) {
      if (key === "quit") {
        quit = true;
        ended ? ended() : ctx.stop();
        return;
      }
      if (key === "interrupt") return term.interrupt();
      if (key === "pause") ui.paused = !ui.paused;
      else if (key === "wider") ui.level = Math.min(counts.levels.length - 1, ui.level + 1);
      else if (key === "narrower") ui.level = Math.max(0, ui.level - 1);
      else if (key === "next") ui.selected = (ui.selected + 1) % refs.length;
      else if (key === "previous") ui.selected = (ui.selected + refs.length - 1) % refs.length;
      draw();
    }
    return {
      name: "top",
      write: count,
      pending: () => n - drawnAt,
      async close() {
        if (!quit && !ctx.signal.aborted) {
          // the stream ended by itself: the last frame stays until q (or Ctrl-C)
          await new Promise<void>((resolve) => {
            ended = resolve;
            ctx.signal.addEventListener("abort", () => resolve(), { once: true });
            ui.paused = false;
            draw();
          });
        }
        tick.unsubscribe();
        draw();
        view.unmount();
        term.leave();
        return { delivered: n, dropped: 0 };
      },
    };
  }

  /** Elsewhere: a plain-text frame per window of the chosen length as it closes, and one at the end. */
  function frames(): Sink {
    const out = new LineWriter<string>("top", { path: "-", append: false, stdout: ctx.stdout }, (t) => t.join(""));
    const every = config.every;
    /** The end of the window the clock is in, once there is a clock. */
    let shownEnd: number | undefined;
    /** Messages counted in a frame handed to the writer. */
    let framed = 0;
    const print = (status: string) => {
      out.write(screen.frameText(topModel(counts, state(status)), config.columns) + "\n\n", n - framed);
      framed = n;
    };
    /** Prints the frame of the window the clock was in once `time` is past its end. */
    const closeWindows = (time: number) => {
      if (every === "all" || (shownEnd !== undefined && time < shownEnd)) return;
      if (shownEnd !== undefined) print(ctx.live ? "live" : "replay");
      shownEnd = (Math.floor(time / every) + 1) * every;
    };
    const tick = ctx.live
      ? ctx.scheduler.schedule(function () {
          closeWindows(ctx.scheduler.now());
          counts.advance(ctx.scheduler.now());
          this.schedule(undefined, every === "all" ? REDRAW_MS : shownEnd === undefined ? every : Math.max(1, shownEnd - ctx.scheduler.now()));
        }, every === "all" ? REDRAW_MS : every)
      : undefined;
    return {
      name: "top",
      write(msg) {
        if (out.error) throw out.error;
        closeWindows(msg.time);
        count(msg);
      },
      pending: () => n - framed + out.unwritten,
      async close(completed) {
        tick?.unsubscribe();
        if (n > 0 || completed) print("ended");
        return out.finish(n, completed, "write to stdout failed");
      },
    };
  }
}

export const kind = sinkKind({
  name: "top",
  description: "a live view on the terminal: per attribute the top values of the current window, with count, share and a sparkline (cms-nats top)",
  config: topConfig,
  shorthand: "by",
  examples: ["top:exitCode", "'top: {by: [exitCode, site], every: 1m}'", "'top: {by: [exitCode], codes: samples/exit-codes.txt}'"],
  accepts: () => ["records"],
  stdout: () => "screen",
  create: topSink,
});
