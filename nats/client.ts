/**
 * Connects to NATS with prepared options and reports what happens to the connection on stderr, as
 * the Go tools do: `Disconnected: will attempt reconnects for 10m - error: ...`, `Reconnected`, server
 * errors (a slow consumer among them), and a connection lost for good.
 */
import type { NatsConnection, NatsError } from "nats";
import { NatsConnectionError, type PreparedConnection } from "./connection.ts";

export interface NatsClient {
  nc: NatsConnection;
  /** The servers as shown in messages, without credentials. */
  label: string;
  mask(text: string): string;
  /** Resolves when the connection closes without {@link closeClient} (reconnects exhausted, auth revoked). */
  lost: Promise<NatsConnectionError>;
}

/** `onReconnect` is told of each reconnect, so the run can count them in its summary. */
export type Connect = (prepared: PreparedConnection, warn: (text: string) => void, onReconnect?: () => void) => Promise<NatsClient>;

const ours = new WeakSet<NatsConnection>();

/**
 * Connects; rejects with a {@link NatsConnectionError} saying which servers and why (unreachable,
 * authorization, TLS) at once, unless `waitOnFirstConnect` was asked for.
 */
export const connectNats: Connect = async (prepared, warn, onReconnect) => {
  const { label, mask } = prepared;
  // loaded here, not at start-up: only commands that connect pay for the client
  const { connect, credsAuthenticator, Events } = await import("nats");
  const options = prepared.creds ? { ...prepared.options, authenticator: credsAuthenticator(prepared.creds) } : prepared.options;
  if (options.waitOnFirstConnect) warn(`connecting to ${label}; waiting for a server to answer`);
  let nc: NatsConnection;
  try {
    nc = await connect(options);
  } catch (err) {
    throw new NatsConnectionError(mask(`cannot connect to NATS at ${label}: ${describe(err)}`), { cause: err });
  }
  const span = reconnectSpan(options.reconnectTimeWait ?? 0, options.maxReconnectAttempts ?? 0);
  void (async () => {
    let downSince: number | undefined;
    let serverBefore: string | undefined;
    for await (const s of nc.status()) {
      if (s.type === Events.Disconnect) {
        downSince ??= Date.now();
        serverBefore ??= nc.info?.server_id;
        warn(mask(`Disconnected: will attempt reconnects for ${span} - error: connection to ${String(s.data)} lost`));
      } else if (s.type === Events.Reconnect) {
        onReconnect?.();
        warn(`Reconnected${gap(downSince)}`);
        if (serverBefore !== undefined && nc.info?.server_id === serverBefore) warn(mask(SLOW_CONSUMER));
        downSince = serverBefore = undefined;
      } else if (s.type === Events.LDM) warn(mask(`server ${String(s.data)} is shutting down (lame duck mode); will move to another`));
      else if (s.type === Events.Error && !s.permissionContext) warn(mask(serverError(String(s.data))));
    }
  })();
  const lost = new Promise<NatsConnectionError>((resolve) => {
    void nc.closed().then((err) => {
      if (ours.has(nc)) return;
      resolve(new NatsConnectionError(mask(`connection to NATS at ${label} lost for good: ${err ? describe(err) : "closed"}`), { cause: err }));
    });
  });
  return { nc, label, mask, lost };
};

/** Closes on purpose: `drain` first delivers and flushes what is in flight; the client is then not "lost". */
export async function closeClient(client: NatsClient, how: "drain" | "close"): Promise<void> {
  if (client.nc.isClosed()) return;
  ours.add(client.nc);
  if (how === "drain" && !client.nc.isDraining()) await client.nc.drain();
  else await client.nc.close();
}

/** A NATS error as a reader wants it: the server's own text for authorization and permission errors. */
export function describe(err: unknown): string {
  const e = err as NatsError;
  if (e?.code === "AUTHORIZATION_VIOLATION") return "authorization failed (check the user/password, token or creds)";
  if (e?.code === "CONNECTION_REFUSED") return "connection refused (no server listening there?)";
  if (e?.code === "TIMEOUT") return "timed out";
  return e?.message ?? String(err);
}

/**
 * The gap a reconnect leaves: core NATS delivers at most once, so what was published on the
 * subscribed subjects while this client was away never reaches it.
 */
function gap(downSince: number | undefined): string {
  if (downSince === undefined) return "";
  const ms = Date.now() - downSince;
  const span = ms < 10_000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
  return ` after ${span} disconnected; subscriptions missed what was published in that gap (core NATS delivers at most once)`;
}

/**
 * nats-server cuts a client off as a slow consumer (more than `max_pending` waiting for it, or a write
 * to it blocked past `write_deadline`) by closing the connection, with no `-ERR`: nats.js only sees
 * a disconnect. When the same server (same server_id, so it did not restart) takes us back at once,
 * that is what most likely happened.
 */
const SLOW_CONSUMER =
  "NATS server kept running but closed this connection: most likely it cut this client off as a slow consumer " +
  "(it fell behind by more than the server's max_pending, or a write to it took longer than write_deadline); " +
  "the messages the server held for it are lost. Lighten the pipeline or split the subjects (queue groups)";

/** Go's `%.0fm` for the whole reconnect window; shorter windows in seconds. */
function reconnectSpan(waitMs: number, attempts: number): string {
  if (attempts < 0) return "ever";
  const ms = waitMs * attempts;
  return ms >= 60_000 ? `${Math.round(ms / 60_000)}m` : `${Math.round(ms / 1000)}s`;
}

function serverError(code: string): string {
  if (/slow.?consumer/i.test(code)) return `NATS server: this client is a slow consumer (${code}); the server drops messages for it`;
  return `NATS server error: ${code}`;
}
