/** A real local HTTP server (node:http) that records every request and answers as a test says. */
import { createServer, type IncomingHttpHeaders } from "node:http";

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status: number;
  body?: string;
}

export interface RecordingServer {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/** Listens on a free loopback port; `answer` may hold a response back by returning a pending promise. */
export function recordingServer(answer: (req: Recorded, n: number) => Answer | Promise<Answer> = () => ({ status: 204 })): Promise<RecordingServer> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", async () => {
      const rec = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      requests.push(rec);
      const a = await answer(rec, requests.length);
      res.writeHead(a.status).end(a.body);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections(); // also those whose answer is still held back
            server.close(() => done());
          }),
      });
    });
  });
}
