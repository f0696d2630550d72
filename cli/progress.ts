/**
 * Progress on the terminal for long work: where a replay is in its files and in recorded time, its
 * rate and the time left; how much a recording (or any live run) has taken in and how fast. Drawn on
 * stderr, only when stderr is a terminal and stdout does not write into the same one; `--quiet` turns
 * it off. Warnings and the stop messages go through it, above the line.
 */
import { statSync } from "node:fs";
import { Writable } from "node:stream";
import type { WriteStream } from "node:tty";
import type { RunProgress } from "../pipelines/run.ts";
import { sinks } from "../pipelines/registry.ts";
import type { PipelineSpec } from "../pipelines/spec.ts";
import type { SinkKind } from "../sinks/sink.ts";
import { bar } from "../sinks/terminal/format.ts";

/** How often the line is redrawn, and how far back the rates look. */
const TICK_MS = 200;
const RATE_WINDOW_MS = 3000;

export interface Progress {
  /** Where the run's stderr text goes while the line is shown. */
  stderr: Writable;
  follow(run: RunProgress): void;
  stop(): void;
}

/** A progress line for the run, or undefined when there is no terminal for it. */
export async function progressFor(spec: PipelineSpec): Promise<Progress | undefined> {
  const out = process.stderr as WriteStream;
  const kinds = spec.to.map((s) => (sinks[s.kind] as SinkKind<unknown>).stdout?.(s.config));
  if (!out.isTTY || kinds.includes("screen") || (process.stdout.isTTY && kinds.some((k) => k !== undefined))) return undefined;
  const { mountProgress } = await import("../sinks/terminal/screens.tsx");
  const line = mountProgress(out);
  const files = spec.to.flatMap((s) => (s.kind === "record" && s.config.path !== "-" ? [s.config.path] : []));
  const started = Date.now();
  const samples: { at: number; messages: number; bytes: number }[] = [];
  let timer: NodeJS.Timeout | undefined;
  return {
    stderr: new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        line.write(String(chunk));
        done();
      },
    }),
    follow(run) {
      timer = setInterval(() => {
        const now = Date.now();
        const pos = run.position();
        const sample = { at: now, messages: run.messages(), bytes: pos?.bytes() ?? 0 };
        samples.push(sample);
        while (samples.length > 1 && samples[0].at < now - RATE_WINDOW_MS) samples.shift();
        const first = samples[0];
        const seconds = Math.max((now - first.at) / 1000, 0.001);
        const rate = (sample.messages - first.messages) / seconds;
        line.update(pos ? replayLine(pos.bytes(), pos.totalBytes, run.lastTime(), pos.end, rate, (sample.bytes - first.bytes) / seconds) : liveLine(sample.messages, recorded(files), rate, now - started));
      }, TICK_MS);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      line.unmount();
    },
  };
}

function recorded(files: readonly string[]): number | undefined {
  if (files.length === 0) return undefined;
  let bytes = 0;
  for (const f of files) {
    try {
      bytes += statSync(f).size;
    } catch {
      // not created yet
    }
  }
  return bytes;
}

const size = (bytes: number) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(0)} kB`);
const count = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(0)}k` : n.toFixed(0));
const when = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");
const span = (ms: number) => {
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
};

/** `42% ████████▍            1.3 MB of 3.1 MB   recorded 2026-11-21 13:25:10 of 14:00:00   48k msg/s   2s left` */
export function replayLine(bytes: number, total: number | undefined, time: number | undefined, end: number | undefined, rate: number, byteRate: number): string {
  const parts: string[] = [];
  if (total !== undefined && total > 0) {
    const f = Math.min(1, bytes / total);
    parts.push(`${(100 * f).toFixed(0).padStart(3)}% ${bar(f, 20).padEnd(20, "·")}  ${size(bytes)} of ${size(total)}`);
  } else parts.push(size(bytes));
  if (time !== undefined) parts.push(`recorded ${when(time)}${end !== undefined ? ` of ${when(end).slice(when(end).slice(0, 10) === when(time).slice(0, 10) ? 11 : 0)}` : ""}`);
  parts.push(`${count(rate)} msg/s`);
  if (total !== undefined && byteRate > 0) parts.push(`${span(((total - bytes) / byteRate) * 1000)} left`);
  return parts.join("   ");
}

/** `12.3k messages   1.2 MB   210 msg/s   58s` */
export function liveLine(messages: number, bytes: number | undefined, rate: number, elapsed: number): string {
  return [`${count(messages)} messages`, ...(bytes !== undefined ? [size(bytes)] : []), `${count(rate)} msg/s`, span(elapsed)].join("   ");
}
