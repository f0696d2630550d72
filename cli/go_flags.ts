import type { Command } from "commander";

/**
 * Rewrites Go-style single-dash long flags (`-cmsAuth FILE`, `-rootCAs=a,b`, `-raw`) into commander's
 * `--cmsAuth FILE` form. It exists because the CMS Go tools (and every script and doc that calls
 * them) use Go's flag syntax, which commander would read as bundles of short flags (`-raw` as
 * `-r -a -w`). Only the long flags the command declares are rewritten, values of flags that take one
 * are skipped, and nothing after `--` is touched.
 *
 * `args` are the command's own arguments (no node, script or command name).
 */
export function goFlags(args: readonly string[], cmd: Command): string[] {
  const takesValue = new Map<string, boolean>();
  for (const o of cmd.options) if (o.long) takesValue.set(o.long.slice(2), o.required || o.optional);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    const m = /^-([A-Za-z][\w-]+)(=.*)?$/s.exec(arg);
    const value = m ? takesValue.get(m[1]) : undefined;
    if (value === undefined) {
      out.push(arg);
      continue;
    }
    out.push(`-${arg}`);
    if (value && m![2] === undefined && i + 1 < args.length) out.push(args[++i]); // a value such as "-" or "   "
  }
  return out;
}
