/** Starts a real prometheus-pushgateway (Debian package) on a loopback port for a test. */
import { poll, spawnServer, stopServer } from "./process.ts";

export const PUSHGATEWAY = "/usr/bin/prometheus-pushgateway";

export interface Pushgateway {
  url: string;
  /** The groups it holds, from /api/v1/metrics. */
  groups(): Promise<PushedGroup[]>;
  stop(): Promise<void>;
}

/** One group of /api/v1/metrics: its grouping labels, and per metric name the samples pushed. */
export interface PushedGroup {
  labels: Record<string, string>;
  metrics: Map<string, { type: string; samples: { labels: Record<string, string>; value: number }[] }>;
}

/**
 * Starts the Pushgateway without persistence. Without `port` it listens on a port of its own choice
 * (`127.0.0.1:0`), read back from its "Listening on" log line; with `port`, on that one.
 */
export async function startPushgateway(port = 0): Promise<Pushgateway> {
  const server = spawnServer(PUSHGATEWAY, [`--web.listen-address=127.0.0.1:${port}`, "--persistence.file=", "--log.level=info"]);
  const stop = () => stopServer(server);
  let url: string;
  try {
    url = await poll("the pushgateway to listen", () => {
      if (server.child.exitCode !== null) throw new Error(`prometheus-pushgateway exited: ${server.output().trim()}`);
      const m = /msg="Listening on" address=(127\.0\.0\.1:\d+)/.exec(server.output());
      return m ? `http://${m[1]}` : undefined;
    }, 10_000);
    await poll("the pushgateway to be ready", async () => (await fetch(`${url}/-/ready`)).ok, 10_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const groups = async () => {
    const res = await fetch(`${url}/api/v1/metrics`);
    const body = (await res.json()) as { data: Record<string, unknown>[] };
    return body.data.map(readGroup);
  };
  return { url, groups, stop };
}

interface ApiMetric {
  type: string;
  metrics: { labels: Record<string, string>; value: string }[];
}

function readGroup(g: Record<string, unknown>): PushedGroup {
  const metrics: PushedGroup["metrics"] = new Map();
  for (const [name, m] of Object.entries(g)) {
    if (name === "labels" || name === "last_push_successful" || name.startsWith("push_")) continue;
    const { type, metrics: samples } = m as ApiMetric;
    metrics.set(name, { type, samples: samples.map((s) => ({ labels: s.labels, value: Number(s.value) })) });
  }
  return { labels: g.labels as Record<string, string>, metrics };
}
