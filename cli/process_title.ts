import { existsSync } from "node:fs";
import { basename } from "node:path";
import { redact } from "../lib/redact.ts";

/**
 * Replaces the process title (what `ps -o args` and /proc/PID/cmdline show) with the command line
 * minus its secrets: URL user-info, pass/token/creds values in YAML flag values, and a `-creds` value
 * that is not a file (then it is `user:password` or a token). On Linux node writes the title over the
 * original argv memory, so `ps` stops showing the secret from here on; it was visible while the
 * process started, and any parent that launched it (the `npx tsx` of the shebang) still shows its
 * own command line. Keep secrets in a cms-auth or creds file (mode 600) instead.
 */
export function hideSecretsFromPs(argv: readonly string[] = process.argv): void {
  const [, script, ...args] = argv;
  const shown: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const inline = /^(--?creds=)(.*)$/s.exec(arg);
    if (inline) shown.push(inline[1] + creds(inline[2]));
    else if (/^--?creds$/.test(arg) && i + 1 < args.length) shown.push(arg, creds(args[++i]));
    else shown.push(redact(arg));
  }
  process.title = [basename(script ?? "cms-nats", ".ts"), ...shown].join(" ");
}

function creds(value: string): string {
  return existsSync(value) ? value : "***";
}
