/**
 * The connection flags of every command that connects, made from the connection schema (each field
 * whose meta names a `flag`): the same names, descriptions, defaults and checks as the `nats:` config
 * keys, whether a command reads flags the Go way (nats-sub, nats-pub) or with commander (record).
 */
import { type Command, Option } from "commander";
import { fieldsOf, type FieldInfo } from "../lib/config.ts";
import { connectionConfig } from "../nats/connection.ts";
import type { GoFlag } from "./go_flags.ts";

interface ConnectionFlag {
  field: string;
  flag: string;
  info: FieldInfo;
}

const FLAGS: ConnectionFlag[] = fieldsOf(connectionConfig)
  .filter((f) => typeof f.meta.flag === "string")
  .map((info) => ({ field: info.name, flag: info.meta.flag as string, info }));

/** A default as a flag writes it: a list as comma-separated text. */
function flagDefault(info: FieldInfo): string | undefined {
  if (info.default === undefined || info.default === "[]") return undefined;
  return info.default.startsWith("[") ? (JSON.parse(info.default) as string[]).join(",") : info.default;
}

/** The Go tools' own texts for their connection flags, so `-h` reads as it did. */
const GO_USAGE: Record<string, string> = {
  s: "The nats server URLs (separated by comma)",
  creds: "User NSC credentials",
  cmsAuth: "User cms auth file",
  rootCAs: "Comma separated list of CERN Root CAs files",
  userCert: "x509 user certificate",
  userKey: "x509 user key file",
};

/** The connection flags in Go's flag terms, for nats-sub and nats-pub (the Go tools' texts for theirs). */
export function goConnectionFlags(): GoFlag[] {
  return FLAGS.map(({ flag, info }) => ({
    name: flag,
    type: info.flag === "boolean" ? "bool" : info.flag === "number" ? "int" : info.flag === "duration" ? "duration" : "string",
    usage: GO_USAGE[flag] ?? info.description ?? "",
    default: flagDefault(info),
  }));
}

/** Adds the connection flags to a commander command (`--cmsAuth FILE`; `-cmsAuth FILE` via long_flags.ts). */
export function addConnectionOptions(cmd: Command): Command {
  for (const { flag, info } of FLAGS) {
    // the default is the schema's (applied when the flag is absent); help shows it
    const dflt = info.flag === "boolean" ? undefined : flagDefault(info);
    const name = flag.length === 1 ? `-${flag}, --server` : `--${flag}`;
    const value = info.flag === "number" ? "n" : info.flag === "duration" ? "duration" : "value";
    cmd.addOption(new Option(info.flag === "boolean" ? name : `${name} <${value}>`, `${info.description}${dflt !== undefined ? ` (default: ${dflt})` : ""}`));
  }
  return cmd;
}

/**
 * The connection config keys a command line set, and for each key the flag as the user typed it
 * (for errors: `-s 'a b': ...`). `get(flag)` reads a flag's value (undefined when not given).
 */
export function connectionFromFlags(get: (flag: string) => string | boolean | undefined, spelled: (flag: string) => string): { config: Record<string, unknown>; flagOf: Record<string, string> } {
  const config: Record<string, unknown> = {};
  const flagOf: Record<string, string> = {};
  for (const { field, flag, info } of FLAGS) {
    const v = get(flag);
    if (v === undefined) continue;
    config[field] = info.flag === "number" && typeof v === "string" && /^[+-]?\d+$/.test(v) ? Number(v) : v;
    flagOf[field] = spelled(flag);
  }
  return { config, flagOf };
}
