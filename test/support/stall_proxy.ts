/**
 * A TCP proxy in front of a real server that can stall it: while stalled, connections are accepted
 * and what they send is held back, so the server sees no request and the client waits for an answer
 * that does not come (a server too slow for the client's timeout). A client that gives up while held
 * is dropped unseen, so the server never gets a request its client abandoned. `release` passes the
 * held connections on and stops stalling.
 */
import { createServer, connect, type Socket } from "node:net";

export interface StallProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Connections passed on to the server so far. */
  forwarded(): number;
  /** Connections held back right now. */
  held(): number;
  release(): void;
  close(): Promise<void>;
}

/** Listens on a free loopback port in front of `target` (`http://host:port`), stalled from the start. */
export function stallProxy(target: string): Promise<StallProxy> {
  const { hostname, port } = new URL(target);
  let stalled = true;
  let forwarded = 0;
  const sockets = new Set<Socket>();
  const holding = new Map<Socket, { chunks: Buffer[]; onData(chunk: Buffer): void }>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s)).on("error", () => undefined);
  };
  const forward = (client: Socket, held: Buffer[]) => {
    forwarded++;
    const upstream = connect(Number(port), hostname);
    track(upstream);
    for (const chunk of held) upstream.write(chunk);
    client.pipe(upstream).pipe(client);
    upstream.on("close", () => client.destroy());
    client.on("close", () => upstream.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (!stalled) return forward(client, []);
    const held = { chunks: [] as Buffer[], onData: (chunk: Buffer) => held.chunks.push(chunk) };
    holding.set(client, held);
    client.on("data", held.onData).on("close", () => holding.delete(client));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port: own } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${own}`,
        forwarded: () => forwarded,
        held: () => holding.size,
        release() {
          stalled = false;
          for (const [client, held] of holding) {
            client.off("data", held.onData);
            forward(client, held.chunks);
          }
          holding.clear();
        },
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
