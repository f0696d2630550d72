/**
 * NATS connection settings, in one place for every command, source and sink: the same schema gives
 * the `nats-sub` flags (`-s -creds -cmsAuth -rootCAs -userCert -userKey`, each field's `flag`), the
 * config keys of the `nats:` and `jetstream:` sources and the `nats:` sink, and their docs. This file
 * turns them into `nats` ConnectionOptions (reading the credential and certificate files);
 * client.ts connects with them.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import type { ConnectionOptions, TlsOptions } from "nats";
import * as z from "zod";
import { duration, formatDuration } from "../lib/duration.ts";
import { hideSecrets } from "../lib/redact.ts";

/** The CMS service; the Go tools' default `-s`. */
export const DEFAULT_SERVERS = "cms-nats.cern.ch";
export const DEFAULT_PORT = 4222;
/** As the Go tools: one attempt a second for ten minutes. */
export const DEFAULT_RECONNECT_WAIT_MS = 1000;
export const DEFAULT_MAX_RECONNECTS = 600;
/** The Go client's connect timeout: a refused TLS handshake shows as a timeout, and 20 s (the nats.js default) is long to wait. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;

const list = z.union([z.string(), z.array(z.string())]).transform((v) =>
  (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter((s) => s !== ""),
);

/**
 * Connection keys, spread into the config of every NATS source and sink. `flag` in a field's meta is
 * the command-line flag that sets it (Go style: `-s`, `-cmsAuth`; `--name` works too); `flag: false`
 * keeps a secret off command lines.
 */
export const connectionFields = {
  servers: list
    .default([DEFAULT_SERVERS])
    .describe("NATS servers, comma separated: host, host:port, nats://host:port, tls://host (port 4222 when absent)")
    .meta({ flag: "s", examples: ["127.0.0.1:4222"] }),
  user: z.string().optional().describe("user name (with pass)").meta({ flag: false }),
  pass: z.string().optional().describe("password (with user); prefer a cmsAuth or creds file").meta({ flag: false }),
  token: z.string().optional().describe("authentication token").meta({ flag: false }),
  creds: z.string().optional().describe("NSC credentials file; if no such file exists, the text itself is user:password or a token").meta({ flag: "creds", examples: ["~/.nats/cms.creds"] }),
  cmsAuth: z.string().optional().describe("file holding user:password (default $HOME/.nats/cms-auth, used when present)").meta({ flag: "cmsAuth", examples: ["~/.nats/cms-auth"] }),
  rootCAs: list.default([]).describe("CA files for TLS, comma separated; all of them are trusted").meta({ flag: "rootCAs", examples: ["/etc/nats/CERN_CA.crt,/etc/nats/CERN_CA1.crt"] }),
  userCert: z.string().optional().describe("x509 client certificate file (with userKey)").meta({ flag: "userCert" }),
  userKey: z.string().optional().describe("x509 client key file (with userCert)").meta({ flag: "userKey" }),
  reconnectWait: duration.prefault(formatDuration(DEFAULT_RECONNECT_WAIT_MS)).describe("wait between reconnect attempts").meta({ flag: "reconnect-wait" }),
  maxReconnects: z.number().int().min(-1).default(DEFAULT_MAX_RECONNECTS).describe("reconnect attempts before giving up; -1: never give up").meta({ flag: "max-reconnects" }),
  connectTimeout: duration.prefault(formatDuration(DEFAULT_CONNECT_TIMEOUT_MS)).describe("time one connection attempt may take").meta({ flag: "connect-timeout" }),
  waitForServer: z.boolean().default(false).describe("keep retrying when no server answers at the first connect, instead of failing").meta({ flag: "wait-for-server" }),
  insecure: z.boolean().default(false).describe("do not verify the server's TLS certificate (a warning is printed)").meta({ flag: "insecure" }),
};
export const connectionConfig = z.strictObject(connectionFields);
export type ConnectionConfig = z.infer<typeof connectionConfig>;

/** A connection that cannot be set up or was lost for good; the message never holds credentials. */
export class NatsConnectionError extends Error {
  override name = "NatsConnectionError";
}

/** Everything needed to connect, and to talk about the connection without revealing secrets. */
export interface PreparedConnection {
  options: ConnectionOptions;
  /** The bytes of an NSC credentials file, made into an authenticator when connecting. */
  creds?: Uint8Array;
  /** The servers as shown in messages: `host:port,...`, never with credentials. */
  label: string;
  /** The servers as given (`-s` as typed), credentials hidden: Go's `Listening on [<-s>/<subject>]`. */
  given: string;
  /** Removes URL user-info and the secrets in use from a text before it is printed. */
  mask(text: string): string;
}

export interface PrepareOptions {
  warn(text: string): void;
  /** The cms-auth file used when no credentials are given, if it exists ($HOME/.nats/cms-auth; the CLI knows HOME). */
  defaultCmsAuth?: string;
}

interface Server {
  hostPort: string;
  tls: boolean;
  auth?: string;
}

/**
 * Turns settings into `nats` ConnectionOptions. Credentials come from the first of: token, user+pass,
 * creds, cmsAuth, user-info in a server URL (which the `nats` client would ignore), the default
 * cms-auth file; without any the connection is anonymous and says so. Throws
 * {@link NatsConnectionError} for a file that is named but missing or unreadable.
 */
export function prepareConnection(config: ConnectionConfig, opts: PrepareOptions): PreparedConnection {
  const servers = config.servers.map(parseServer);
  if (servers.length === 0) throw new NatsConnectionError("no NATS server given");
  const secrets: string[] = [];
  const options: ConnectionOptions = {
    servers: servers.map((s) => s.hostPort),
    name: "cms-nats",
    reconnectTimeWait: config.reconnectWait,
    timeout: config.connectTimeout,
    maxReconnectAttempts: config.maxReconnects,
    waitOnFirstConnect: config.waitForServer,
    ...auth(config, servers, secrets, opts),
  };
  const creds = credsBytes(config, opts.warn, secrets);
  const tls = tlsOptions(config, servers.some((s) => s.tls), opts.warn);
  if (tls) options.tls = tls;
  const mask = (text: string) => hideSecrets(text, secrets);
  return { options, ...(creds ? { creds } : {}), label: servers.map((s) => s.hostPort).join(","), given: mask(config.servers.join(",")), mask };
}

/** An NSC credentials file named by `creds`, when it exists; its JWT and seed become secrets to hide. */
function credsBytes(config: ConnectionConfig, warn: (text: string) => void, secrets: string[]): Uint8Array | undefined {
  if (config.token !== undefined || config.user !== undefined || config.creds === undefined || !existsSync(config.creds)) return undefined;
  const text = readSecretFile(config.creds, "creds", warn);
  secrets.push(...text.split("\n").map((l) => l.trim()).filter((l) => l.length >= 16 && !l.startsWith("---")));
  return new TextEncoder().encode(text);
}

function parseServer(entry: string): Server {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ? entry : `nats://${entry}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new NatsConnectionError(`"${hideSecrets(entry, [])}" is not a server: write host, host:port, nats://host:port or tls://host:port`);
  }
  if (url.protocol !== "nats:" && url.protocol !== "tls:") {
    throw new NatsConnectionError(`server "${hideSecrets(entry, [])}": scheme ${url.protocol}// is not supported; use nats:// or tls://`);
  }
  const hostPort = `${url.hostname}:${url.port === "" ? DEFAULT_PORT : url.port}`;
  const user = decodeURIComponent(url.username);
  const auth = url.password !== "" ? `${user}:${decodeURIComponent(url.password)}` : user || undefined;
  return { hostPort, tls: url.protocol === "tls:", auth };
}

function auth(config: ConnectionConfig, servers: Server[], secrets: string[], opts: PrepareOptions): ConnectionOptions {
  if (config.token !== undefined) return secret(config.token, secrets);
  if (config.user !== undefined || config.pass !== undefined) {
    if (config.user === undefined || config.pass === undefined) throw new NatsConnectionError("user and pass go together: give both");
    secrets.push(config.pass);
    return { user: config.user, pass: config.pass };
  }
  if (config.creds !== undefined) {
    if (existsSync(config.creds)) return {}; // an NSC credentials file: see credsBytes
    if (looksLikePath(config.creds)) opts.warn(`-creds ${config.creds}: no such file; using the text as a password or token`);
    return secret(config.creds, secrets);
  }
  if (config.cmsAuth !== undefined) return secret(readSecretFile(config.cmsAuth, "cmsAuth", opts.warn).replace(/[\r\n]/g, ""), secrets);
  const inUrl = servers.find((s) => s.auth !== undefined)?.auth;
  if (inUrl !== undefined) return secret(inUrl, secrets);
  const fallback = opts.defaultCmsAuth;
  if (fallback !== undefined && existsSync(fallback)) return secret(readSecretFile(fallback, "cmsAuth", opts.warn).replace(/[\r\n]/g, ""), secrets);
  opts.warn(`no credentials given${fallback ? ` and ${fallback} not found` : ""}: connecting without authentication`);
  return {};
}

/**
 * A `-creds` text that was surely meant as a file (it is then safe to print): it starts like a path
 * or has a credentials file's name. Tokens and passwords do neither.
 */
function looksLikePath(text: string): boolean {
  return /^(\/|~|\.\.?\/)/.test(text) || /\.(creds|jwt|nk)$/i.test(text);
}

/** `user:password` (split at the first colon) or a bare token. */
function secret(text: string, secrets: string[]): ConnectionOptions {
  const colon = text.indexOf(":");
  if (colon < 0) {
    secrets.push(text);
    return { token: text };
  }
  const pass = text.slice(colon + 1);
  secrets.push(pass, text);
  return { user: text.slice(0, colon), pass };
}

/** A credentials file; one that others may read gets a warning. */
function readSecretFile(path: string, flag: string, warn: (text: string) => void): string {
  const text = readNamedFile(path, flag);
  if ((statSync(path).mode & 0o077) !== 0) warn(`warning: ${flag} file ${path} can be read by other users; chmod 600 ${path}`);
  return text;
}

/** Node TLS options the `nats` client passes through; `rejectUnauthorized` is not in its type. */
type NodeTlsOptions = TlsOptions & { rejectUnauthorized?: boolean };

function tlsOptions(config: ConnectionConfig, wanted: boolean, warn: (text: string) => void): NodeTlsOptions | undefined {
  if ((config.userCert === undefined) !== (config.userKey === undefined)) {
    throw new NatsConnectionError("userCert and userKey go together: give both");
  }
  if (!wanted && config.rootCAs.length === 0 && config.userCert === undefined && !config.insecure) return undefined;
  const tls: NodeTlsOptions = {};
  // one PEM text holding every CA: the client then trusts them all (the Go tool kept only the last)
  if (config.rootCAs.length > 0) tls.ca = config.rootCAs.map((f) => readNamedFile(f, "rootCAs")).join("\n");
  if (config.userCert !== undefined && config.userKey !== undefined) {
    tls.cert = readNamedFile(config.userCert, "userCert");
    tls.key = readNamedFile(config.userKey, "userKey");
  }
  if (config.insecure) {
    warn("warning: --insecure: the server's TLS certificate is not verified");
    tls.rejectUnauthorized = false;
  }
  return tls;
}

/** A file a flag names; a missing or unreadable one is an error naming the flag. */
function readNamedFile(path: string, flag: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new NatsConnectionError(`cannot read the ${flag} file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}
