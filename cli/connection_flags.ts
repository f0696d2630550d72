import { type Command, Option } from "commander";
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_MAX_RECONNECTS, DEFAULT_RECONNECT_WAIT_MS, DEFAULT_SERVERS } from "../pipelines/nats_connection.ts";

/** The connection flags as commander hands them over (names as in the Go tools). */
export interface ConnectionFlags {
  server: string;
  creds?: string;
  cmsAuth?: string;
  rootCAs?: string;
  userCert?: string;
  userKey?: string;
  reconnectWait?: string;
  maxReconnects?: string;
  connectTimeout?: string;
  waitForServer?: boolean;
  insecure?: boolean;
}

/**
 * Adds the connection flags of the Go `nats-sub` (`-s -creds -cmsAuth -rootCAs -userCert -userKey`,
 * also as `--long` forms) and the reconnect settings to a command: every command that connects takes
 * the same ones.
 */
export function addConnectionFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option("-s, --server <urls>", "NATS servers, comma separated: host, host:port, nats://, tls:// (port 4222 when absent)").default(DEFAULT_SERVERS))
    .addOption(new Option("--creds <file>", "NSC credentials file; if no such file exists, the text is user:password or a token"))
    .addOption(new Option("--cmsAuth <file>", "file holding user:password (default $HOME/.nats/cms-auth when present)"))
    .addOption(new Option("--rootCAs <files>", "CA files for TLS, comma separated (all are trusted)"))
    .addOption(new Option("--userCert <file>", "x509 client certificate"))
    .addOption(new Option("--userKey <file>", "x509 client key"))
    .addOption(new Option("--reconnect-wait <duration>", "wait between reconnect attempts").default(`${DEFAULT_RECONNECT_WAIT_MS / 1000}s`))
    .addOption(new Option("--max-reconnects <n>", "reconnect attempts before giving up (-1: forever)").default(String(DEFAULT_MAX_RECONNECTS)))
    .addOption(new Option("--connect-timeout <duration>", "time one connection attempt may take").default(`${DEFAULT_CONNECT_TIMEOUT_MS / 1000}s`))
    .addOption(new Option("--wait-for-server", "keep retrying when no server answers at start, instead of exiting"))
    .addOption(new Option("--insecure", "do not verify the server's TLS certificate (prints a warning)"));
}

/** The flags as config keys of the `nats:` source and sink (validated by their schema). */
export function connectionSettings(flags: ConnectionFlags): Record<string, unknown> {
  const settings: Record<string, unknown> = {
    servers: flags.server,
    reconnectWait: flags.reconnectWait,
    maxReconnects: flags.maxReconnects === undefined ? undefined : Number(flags.maxReconnects),
    connectTimeout: flags.connectTimeout,
    waitForServer: flags.waitForServer ?? false,
    insecure: flags.insecure ?? false,
    creds: flags.creds,
    cmsAuth: flags.cmsAuth,
    rootCAs: flags.rootCAs,
    userCert: flags.userCert,
    userKey: flags.userKey,
  };
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}
