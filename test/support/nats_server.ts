/**
 * Starts a real nats-server (Debian package) for a test: a config file in a temp dir with
 * `port: -1` (the server picks a free port) and `ports_file_dir`, from which the port is read back.
 * Secrets go into the config file, never onto a command line. `restart` brings it back on the same port.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { poll, spawnServer, type Spawned, skipWithout, stopServer, tempDir } from "./process.ts";

export const NATS_SERVER = "/usr/sbin/nats-server";

export interface NatsServerOptions {
  /** More config text (nats-server syntax): authorization, accounts, operator/resolver, tls blocks. */
  config?: string;
  /** Listen on this port (e.g. one a client is already trying); default: a free one the server picks. */
  port?: number;
  /** JetStream on, storing in the server's temp dir (kept across `restart`). */
  jetstream?: boolean;
}

export interface NatsServer {
  port: number;
  /** `127.0.0.1:PORT`, as nats-sub -s takes it. */
  address: string;
  /** A temp dir of this server, for the test's files (removed by `stop`). */
  dir: string;
  /** The server's process id (a new one after `restart`). */
  pid(): number;
  /** Kills the server (SIGKILL, as a crash) and starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** True when nats-server is missing outside CI: the caller registers no tests (a loud line says so). */
export function skipWithoutNatsServer(): boolean {
  return skipWithout(NATS_SERVER);
}

export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServer> {
  const dir = tempDir("nats-server");
  let server: Spawned | undefined;
  const launch = async (port: number) => {
    const conf = join(dir.path, "server.conf");
    const jetstream = opts.jetstream ? `jetstream { store_dir: "${join(dir.path, "jetstream")}" }\n` : "";
    writeFileSync(conf, `host: 127.0.0.1\nport: ${port}\nports_file_dir: "${dir.path}"\n${jetstream}${opts.config ?? ""}\n`);
    const s = spawnServer(NATS_SERVER, ["-c", conf]);
    server = s;
    return poll(`nats-server to be ready (port ${port})`, () => {
      if (s.child.exitCode !== null) throw new Error(`nats-server exited: ${s.output().trim()}`);
      if (!/Server is ready/.test(s.output())) return undefined;
      const ports = JSON.parse(readFileSync(join(dir.path, `nats-server_${s.child.pid}.ports`), "utf8")) as { nats: string[] };
      return Number(new URL(ports.nats[0]).port);
    }, 10_000);
  };
  let port: number;
  try {
    port = await launch(opts.port ?? -1);
  } catch (err) {
    if (server) await stopServer(server);
    dir.remove();
    throw err;
  }
  return {
    port,
    address: `127.0.0.1:${port}`,
    dir: dir.path,
    pid: () => server!.child.pid!,
    async restart() {
      server!.child.kill("SIGKILL");
      await server!.exited;
      await launch(port);
    },
    async stop() {
      if (server) await stopServer(server);
      dir.remove();
    },
  };
}

/**
 * Runs `body` against a fresh server (`config`: nats-server config text, if any) with an empty
 * directory to use as the CLIs' HOME; stops the server and removes the directory afterwards.
 */
export async function withNatsServer(config: string | undefined, body: (server: NatsServer, home: string) => Promise<void>): Promise<void> {
  const server = await startNatsServer({ config });
  const home = tempDir("home");
  try {
    await body(server, home.path);
  } finally {
    await server.stop();
    home.remove();
  }
}
