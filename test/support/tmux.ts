/**
 * A real terminal for the tests: a tmux server of its own (its own socket), one window of a given
 * size running a shell command. The screen is read as a person sees it (capture-pane), keys are typed
 * into it, and the command's exit code and the terminal's settings after it (stty) are written to
 * files when it ends. tmux is a Debian package: in CI a missing tmux fails, elsewhere a loud skip.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cliEnv } from "./cli.ts";
import { poll, skipWithout, tempDir } from "./process.ts";

export const TMUX = "/usr/bin/tmux";
export const skipWithoutTmux = (): boolean => skipWithout(TMUX);

export interface Tmux {
  /** The screen as text, one string per row, trailing blanks cut. */
  screen(): string[];
  /** Types keys: tmux key names (Enter, C-c, Tab, Left...) or, with `literal`, the text as it is. */
  keys(keys: string[], literal?: boolean): void;
  /** Waits until the screen satisfies `ok`; returns it. */
  waitForScreen(what: string, ok: (screen: string[]) => boolean, timeoutMs?: number): Promise<string[]>;
  /** The command's exit code once it has ended, and `stty -a` of the terminal right after. */
  ended(timeoutMs?: number): Promise<{ code: number; stty: string }>;
  /** The pid of the command (the shell's child), once it runs. */
  pid(): Promise<number>;
  /** The terminal's foreground process group: the one Ctrl-C signals. */
  foregroundGroup(): Promise<number>;
  resize(columns: number, rows: number): void;
  close(): void;
}

/** Starts `command` (run by sh in `cwd`) in a terminal of `columns` x `rows`. */
export function startTmux(command: string, opts: { columns: number; rows: number; cwd: string; env?: Record<string, string> }): Tmux {
  const dir = tempDir("tmux");
  const socket = join(dir.path, "socket");
  const done = join(dir.path, "exit");
  const stty = join(dir.path, "stty");
  const pidFile = join(dir.path, "pid");
  const tmux = (...args: string[]) => execFileSync(TMUX, ["-S", socket, ...args], { encoding: "utf8" });
  // the shell's pid, for the command's; the shell outlives a Ctrl-C sent to the whole group (its trap)
  // to write the command's exit code, as an interactive shell would go on to its next prompt
  const script = `trap : INT; echo $$ > ${pidFile}; ${command}; echo $? > ${done}.tmp; stty -a > ${stty}; mv ${done}.tmp ${done}; sleep 600`;
  const shell = `bash -c '${script.replace(/'/g, `'\\''`)}'`;
  const env = cliEnv(opts.env);
  delete env.CI; // Ink draws no frame but the last where CI is set: the test terminal is an interactive one
  delete env.TMUX;
  spawnSync(TMUX, ["-S", socket, "-f", "/dev/null", "new-session", "-d", "-x", String(opts.columns), "-y", String(opts.rows), "-c", opts.cwd, shell], { env, stdio: "inherit" });
  tmux("set-option", "-g", "status", "off");
  let rows = opts.rows;
  const screen = () => tmux("capture-pane", "-p").split("\n").slice(0, rows).map((l) => l.trimEnd());
  return {
    screen,
    keys: (keys, literal = false) => void tmux("send-keys", ...(literal ? ["-l"] : []), ...keys),
    waitForScreen: (what, ok, timeoutMs = 15_000) => poll(what, () => (ok(screen()) ? screen() : undefined), timeoutMs, 50),
    async ended(timeoutMs = 15_000) {
      await poll("the command in the terminal to end", () => existsSync(done), timeoutMs, 50);
      return { code: Number(readFileSync(done, "utf8").trim()), stty: readFileSync(stty, "utf8") };
    },
    pid: async () => {
      const shellPid = Number(await poll("the shell's pid", () => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim(), 5000));
      // the command is the shell's child
      return Number(await poll("the command's pid", () => execFileSync("pgrep", ["-P", String(shellPid)], { encoding: "utf8" }).trim().split("\n")[0] || undefined, 5000));
    },
    async foregroundGroup() {
      const pid = await this.pid();
      return Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[5]); // tpgid
    },
    resize(columns, height) {
      rows = height;
      tmux("resize-window", "-x", String(columns), "-y", String(height));
    },
    close() {
      spawnSync(TMUX, ["-S", socket, "kill-server"]);
      dir.remove();
    },
  };
}
