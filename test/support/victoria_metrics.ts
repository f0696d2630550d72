/** Starts a real victoria-metrics (Debian package) on free loopback ports for a test or bench. */
import { freePort, poll, spawnServer, stopServer, tempDir } from "./process.ts";

export const VICTORIA_METRICS = "/usr/bin/victoria-metrics";

export interface VictoriaMetrics {
  /** Main HTTP port: /api/v1/import, /api/v1/export, /internal/force_flush. */
  url: string;
  /** The -opentsdbHTTPListenAddr port, the only one serving /api/put. */
  opentsdbUrl: string;
  /** Makes fresh samples searchable, then returns the export of `match` as parsed JSON lines. */
  exportSeries(match: string): Promise<ExportedSeries[]>;
  stop(): Promise<void>;
}

export interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

/**
 * Starts victoria-metrics with its storage in a temp dir (removed by stop). Ports are free ones
 * unless given (a test may start the server on a port a sink already points at); a port taken in
 * between makes the server exit, and a fresh pair is tried.
 */
export async function startVictoriaMetrics(ports?: { http: number; opentsdb: number }): Promise<VictoriaMetrics> {
  for (let attempt = 1; ; attempt++) {
    const http = ports?.http ?? (await freePort());
    const opentsdb = ports?.opentsdb ?? (await freePort());
    const dir = tempDir("victoria-metrics");
    const server = spawnServer(VICTORIA_METRICS, [
      `-httpListenAddr=127.0.0.1:${http}`,
      `-opentsdbHTTPListenAddr=127.0.0.1:${opentsdb}`,
      `-storageDataPath=${dir.path}`,
      "-search.latencyOffset=0s",
      "-search.disableCache",
      "-retentionPeriod=100y",
      "-loggerLevel=WARN",
    ]);
    const url = `http://127.0.0.1:${http}`;
    const opentsdbUrl = `http://127.0.0.1:${opentsdb}`;
    const stop = async () => {
      await stopServer(server);
      dir.remove();
    };
    try {
      await poll("victoria-metrics to answer /health", async () => {
        if (server.child.exitCode !== null) return true;
        if (!(await fetch(`${url}/health`)).ok) return false;
        return fetch(`${opentsdbUrl}/`).then(() => true); // any answer: the OpenTSDB port is up too
      }, 15_000);
    } catch (err) {
      await stop();
      throw err;
    }
    if (server.child.exitCode !== null) {
      await stop();
      if (!ports && attempt < 3) continue; // a port was taken in between
      throw new Error(`victoria-metrics exited at start: ${server.output().trim().split("\n").slice(-3).join(" | ")}`);
    }
    const exportSeries = async (match: string) => {
      await fetch(`${url}/internal/force_flush`);
      // to a day ahead: a live window's sample is stamped with its end, which may be ahead of now
      const range = { start: "0", end: String(Math.floor(Date.now() / 1000) + 86_400) };
      const res = await fetch(`${url}/api/v1/export?${new URLSearchParams({ "match[]": match, ...range })}`);
      if (!res.ok) throw new Error(`export ${match}: HTTP ${res.status}: ${await res.text()}`);
      return (await res.text()).split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as ExportedSeries);
    };
    return { url, opentsdbUrl, exportSeries, stop };
  }
}
