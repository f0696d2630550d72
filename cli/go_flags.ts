/**
 * Go's `flag` package grammar, for nats-sub and nats-pub, whose users (and the CMS documents and
 * scripts) write flags the Go way: `-name` or `--name`; `-name=value` or `-name value` (values
 * only for flags that are not booleans); booleans as `-raw`, `-raw=true`, `-raw=false`; parsing
 * stops at the first argument that is not a flag, or after `--`; `-h`/`-help` print the usage (on
 * stderr) and exit 0; an unknown flag prints `flag provided but not defined: -x` and the usage, exit
 * 2. There are no short flags: `-showstats` is an unknown flag, never `-s howstats`. The messages
 * are Go's own, so scripts that look for them find them; a hint with the nearest flag follows.
 */
import { closest } from "../lib/text.ts";

export interface GoFlag {
  name: string;
  /** bool flags take no separate value; int values must be whole numbers. */
  type: "bool" | "string" | "int" | "duration";
  usage: string;
  /** The default as Go's usage shows it (not shown when empty, 0 or false). */
  default?: string;
}

/** Parsing ended in a usage (printed on stderr) and this exit code: 0 for -h, 2 for a bad flag. */
export class GoFlagExit extends Error {
  override name = "GoFlagExit";
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export interface GoFlagValues {
  /** Flags given, by name: text for value flags, true/false for booleans. */
  values: Map<string, string | boolean>;
  /** The arguments after the flags. */
  args: string[];
}

/** Go's strconv.ParseBool. */
const BOOLS: Record<string, boolean> = { "1": true, t: true, T: true, TRUE: true, true: true, True: true, "0": false, f: false, F: false, FALSE: false, false: false, False: false };

/** Parses `args` as Go's flag.Parse does; on `-h`/`-help` or a bad flag prints `usage` to `stderr` and throws {@link GoFlagExit}. */
export function parseGoFlags(args: readonly string[], flags: readonly GoFlag[], usage: string, stderr: { write(text: string): unknown }): GoFlagValues {
  const byName = new Map(flags.map((f) => [f.name, f]));
  const values = new Map<string, string | boolean>();
  const fail = (message: string, hint?: string): never => {
    stderr.write(`${message}\n${hint ? `${hint}\n` : ""}${usage}`);
    throw new GoFlagExit(2);
  };
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i];
    if (arg.length < 2 || arg[0] !== "-") break;
    let name = arg.slice(1);
    if (name[0] === "-") {
      name = name.slice(1);
      if (name === "") {
        i++; // "--" ends the flags
        break;
      }
    }
    if (name === "" || name[0] === "-" || name[0] === "=") fail(`bad flag syntax: ${arg}`);
    const eq = name.indexOf("=");
    const value = eq < 0 ? undefined : name.slice(eq + 1);
    if (eq >= 0) name = name.slice(0, eq);
    const flag = byName.get(name);
    if (!flag) {
      if (name === "help" || name === "h") {
        stderr.write(usage);
        throw new GoFlagExit(0);
      }
      const near = closest(name, byName.keys());
      fail(`flag provided but not defined: -${name}`, near ? `(did you mean -${near}?)` : undefined);
    }
    if (flag!.type === "bool") {
      const b = value === undefined ? true : BOOLS[value];
      if (b === undefined) fail(`invalid boolean value ${JSON.stringify(value)} for -${name}: parse error`);
      values.set(name, b!);
      continue;
    }
    let text = value;
    if (text === undefined) {
      if (i + 1 >= args.length) fail(`flag needs an argument: -${name}`);
      text = args[++i];
    }
    if (flag!.type === "int" && !/^[+-]?\d+$/.test(text!)) fail(`invalid value ${JSON.stringify(text)} for flag -${name}: parse error`);
    values.set(name, text!);
  }
  return { values, args: args.slice(i) };
}

/**
 * Parses a Go-style command's arguments: `usage` is printed (stderr) for `-h`/`-help` and bad flags,
 * which end in {@link GoFlagExit}; its flags should define `h` as Go's tools do.
 */
export function parseGoCommand(args: readonly string[], flags: readonly GoFlag[], usage: string): GoFlagValues {
  const parsed = parseGoFlags(args, flags, usage, process.stderr);
  if (parsed.values.get("h") === true) {
    process.stderr.write(usage);
    throw new GoFlagExit(0);
  }
  return parsed;
}

/** The flag list as Go's flag.PrintDefaults writes it: sorted by name, two spaces, `-name type`, the usage on the next line after four spaces and a tab. */
export function goDefaults(flags: readonly GoFlag[]): string {
  return [...flags]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((f) => {
      const type = f.type === "bool" ? "" : ` ${f.type}`;
      let line = `  -${f.name}${type}`;
      line += line.length <= 4 ? "\t" : "\n    \t";
      line += f.usage.replaceAll("\n", "\n    \t");
      if (f.default !== undefined && f.default !== "" && f.default !== "0" && f.default !== "false") {
        line += f.type === "string" ? ` (default ${goQuote(f.default)})` : ` (default ${f.default})`;
      }
      return line + "\n";
    })
    .join("");
}

/** Go's %q for the texts a default holds. */
function goQuote(text: string): string {
  return JSON.stringify(text);
}
