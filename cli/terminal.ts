/**
 * The terminal a screen-drawing sink (top) gets: stdout when it is a terminal, keys from stdin or,
 * when stdin carries the messages, from /dev/tty (as `less` reads its keys). The alternate screen
 * is left, and the cursor shown, however the process ends: normally, at process.exit (a second
 * Ctrl-C), and on a crash before the error is printed, so the error is seen on the normal screen.
 */
import { openSync } from "node:fs";
import { ReadStream, type WriteStream } from "node:tty";
import type { PipelineSpec } from "../pipelines/spec.ts";
import type { Terminal } from "../sinks/sink.ts";

const ALTERNATE_SCREEN = "\x1b[?1049h\x1b[H\x1b[2J"; // the screen of its own, cleared, the cursor at its top
const NORMAL_SCREEN = "\x1b[?25h\x1b[?1049l"; // cursor shown, normal screen back

/** Lines held at most while the screen is up; beyond them only how many were left out is said. */
const HELD_LINES = 1000;

/**
 * While a screen is up, text for a stderr on the same terminal (warnings, "stopping...") would be
 * drawn into it: it is held, and written after the screen is gone.
 */
function holdStderr(): { hold(): void; release(): void } {
  const err = process.stderr;
  if (!err.isTTY) return { hold() {}, release() {} };
  const write = err.write;
  let lines: string[] = [];
  let left = 0;
  return {
    hold() {
      err.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        if (lines.length < HELD_LINES) lines.push(String(chunk));
        else left++;
        const done = rest.find((r) => typeof r === "function") as (() => void) | undefined;
        done?.();
        return true;
      }) as typeof err.write;
    },
    release() {
      err.write = write;
      for (const text of lines) err.write(text);
      if (left > 0) err.write(`(${left} more lines of warnings were left out while the screen was up)\n`);
      lines = [];
      left = 0;
    },
  };
}

/** Whether the pipeline's messages come from stdin (which then cannot give keys). */
function readsStdin(spec: PipelineSpec): boolean {
  return spec.from.kind === "stdin" || (spec.from.kind === "replay" && spec.from.config.path.includes("-"));
}

/** A way to get the terminal, when stdout is one; nothing is opened until a sink asks. */
export function terminalFor(spec: PipelineSpec): (() => Terminal | undefined) | undefined {
  if (!process.stdout.isTTY) return undefined;
  return () => {
    let input = process.stdin as ReadStream;
    let own = false;
    if (readsStdin(spec) || !process.stdin.isTTY) {
      try {
        input = new ReadStream(openSync("/dev/tty", "r"));
        own = true;
      } catch {
        return undefined; // no controlling terminal (a daemon with stdout on a pty): frames as text
      }
    }
    const output = process.stdout as WriteStream;
    const held = holdStderr();
    let entered = false;
    const leave = () => {
      if (!entered) return;
      entered = false;
      output.write(NORMAL_SCREEN);
      held.release();
      process.off("exit", leave).off("uncaughtExceptionMonitor", leave);
      if (own) input.destroy();
    };
    return {
      input,
      output,
      enter() {
        if (entered) return;
        entered = true;
        output.write(ALTERNATE_SCREEN);
        held.hold();
        process.on("exit", leave).on("uncaughtExceptionMonitor", leave);
      },
      leave,
      // raw mode turns Ctrl-C into a key: it is made the signal it would have been
      interrupt: () => process.kill(process.pid, "SIGINT"),
    };
  };
}
