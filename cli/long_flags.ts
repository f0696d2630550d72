import type { Command } from "commander";
import { closest } from "../lib/text.ts";
import { UsageError } from "./usage_error.ts";

/**
 * Rewrites Go-style single-dash long flags (`-cmsAuth FILE`, `-rootCAs=a,b`) into commander's
 * `--cmsAuth FILE` form, for the commands that take GNU-style flags (replay, run, record...): the
 * CMS documents and scripts write the connection flags the Go way. Only the long flags the command
 * declares are rewritten, and nothing after `--` is touched. A single-dash word that is not one of
 * them is refused rather than read as a bundle of short flags (`-showstats` as `-s howstats`).
 */
export function longFlags(args: readonly string[], cmd: Command): string[] {
  /** Long flag name → whether it takes a value. */
  const longs = new Map<string, boolean>();
  const shorts = new Map<string, boolean>();
  for (const o of cmd.options) {
    if (o.long) longs.set(o.long.slice(2), o.required || o.optional);
    if (o.short) shorts.set(o.short, o.required || o.optional);
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    out.push(arg);
    const takesValue = (arg.startsWith("--") ? longs.get(arg.slice(2)) : shorts.get(arg)) ?? false;
    if (takesValue && i + 1 < args.length) {
      out.push(args[++i]); // a value, whatever it looks like ("-", "   ", "-2h")
      continue;
    }
    const m = /^-([A-Za-z][\w-]+)(=.*)?$/s.exec(arg);
    if (!m) continue;
    out.pop();
    if (longs.has(m[1])) {
      out.push(`-${arg}`);
      if (longs.get(m[1]) && m[2] === undefined && i + 1 < args.length) out.push(args[++i]);
      continue;
    }
    const near = closest(m[1], longs.keys());
    throw new UsageError(`unknown flag ${arg.split("=")[0]}${near ? `; did you mean --${near}?` : ""} (see ${cmd.name()} --help)`);
  }
  return out;
}
