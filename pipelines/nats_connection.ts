/**
 * NATS connection settings, in one place for every command, source and sink: the same keys are the
 * `nats-sub` flags (`-s -creds -cmsAuth -rootCAs -userCert -userKey`) and the config keys of the
 * `nats:` source and sink. This file turns them into `nats` ConnectionOptions (reading the credential
 * and certificate files); nats_client.ts connects with them.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { type ConnectionOptions, credsAuthenticator, type TlsOptions } from "nats";
import { z } from "zod";
import { duration } from "./duration.ts";
import { hideUserInfo } from "./redact.ts";
import { SourceError } from "./sources/source.ts";

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

/** Connection keys, spread into the config of every NATS source and sink. */
export const connectionFields = {
  servers: list.default([DEFAULT_SERVERS]).describe("servers, comma separated: host, host:port, nats://host:port, tls://host (port 4222 when absent)"),
  user: z.string().optional().describe("user name (with pass)"),
  pass: z.string().optional().describe("password (with user); prefer a cmsAuth or creds file"),
  token: z.string().optional().describe("authentication token"),
  creds: z.string().optional().describe("NSC credentials file; if no such file exists, the text itself is user:password or a token"),
  cmsAuth: z.string().optional().describe("file holding user:password (default $HOME/.nats/cms-auth, used when present)"),
  rootCAs: list.default([]).describe("CA files for TLS, comma separated; all of them are trusted"),
  userCert: z.string().optional().describe("x509 client certificate file (with userKey)"),
  userKey: z.string().optional().describe("x509 client key file (with userCert)"),
  reconnectWait: duration.default(DEFAULT_RECONNECT_WAIT_MS).describe("wait between reconnect attempts, e.g. 1s"),
  maxReconnects: z.number().int().min(-1).default(DEFAULT_MAX_RECONNECTS).describe("reconnect attempts before giving up; -1: never give up"),
  connectTimeout: duration.default(DEFAULT_CONNECT_TIMEOUT_MS).describe("time one connection attempt may take, e.g. 2s"),
  waitForServer: z.boolean().default(false).describe("keep retrying when no server answers at the first connect, instead of failing"),
  insecure: z.boolean().default(false).describe("do not verify the server's TLS certificate (a warning is printed)"),
};
export const connectionConfig = z.strictObject(connectionFields);
export type ConnectionConfig = z.infer<typeof connectionConfig>;

/** A connection that cannot be set up or was lost for good; the message never holds credentials. */
export class NatsConnectionError extends SourceError {
  override name = "NatsConnectionError";
}

/** Everything needed to connect, and to talk about the connection without revealing secrets. */
export interface PreparedConnection {
  options: ConnectionOptions;
  /** The servers as shown in messages: `host:port,...`, never with credentials. */
  label: string;
  /** Removes URL user-info and the secrets in use from a text before it is printed. */
  mask(text: string): string;
}

export interface PrepareOptions {
  warn(text: string): void;
  /** Where the default cms-auth file is looked for. @default $HOME/.nats/cms-auth */
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
  const tls = tlsOptions(config, servers.some((s) => s.tls), opts.warn);
  if (tls) options.tls = tls;
  return { options, label: servers.map((s) => s.hostPort).join(","), mask: (text) => mask(text, secrets) };
}

/** Hides URL user-info (`nats://user:pass@host` → `nats://***@host`) and the given secrets. */
export function mask(text: string, secrets: readonly string[] = []): string {
  let out = hideUserInfo(text);
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join("***");
  return out;
}

function parseServer(entry: string): Server {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ? entry : `nats://${entry}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new NatsConnectionError(`"${mask(entry)}" is not a server: write host, host:port, nats://host:port or tls://host:port`);
  }
  if (url.protocol !== "nats:" && url.protocol !== "tls:") {
    throw new NatsConnectionError(`server "${mask(entry)}": scheme ${url.protocol}// is not supported; use nats:// or tls://`);
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
    if (!existsSync(config.creds)) return secret(config.creds, secrets);
    const text = readSecretFile(config.creds, "creds", opts.warn);
    secrets.push(...text.split("\n").map((l) => l.trim()).filter((l) => l.length >= 16 && !l.startsWith("---")));
    return { authenticator: credsAuthenticator(new TextEncoder().encode(text)) };
  }
  if (config.cmsAuth !== undefined) return secret(readSecretFile(config.cmsAuth, "cmsAuth", opts.warn).replace(/[\r\n]/g, ""), secrets);
  const inUrl = servers.find((s) => s.auth !== undefined)?.auth;
  if (inUrl !== undefined) return secret(inUrl, secrets);
  const fallback = opts.defaultCmsAuth ?? join(homedir(), ".nats", "cms-auth");
  if (existsSync(fallback)) return secret(readSecretFile(fallback, "cmsAuth", opts.warn).replace(/[\r\n]/g, ""), secrets);
  opts.warn(`no credentials given and ${fallback} not found: connecting without authentication`);
  return {};
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
