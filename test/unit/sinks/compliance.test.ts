/**
 * The sink contract, for every registered sink against a real destination (files, stdout, a local
 * HTTP server, a real nats-server): what is written is pending until delivered, close delivers all
 * of it and says so, `pending()` is then 0; and when the destination is broken, the loss is counted
 * (a write throws and close rejects with what was delivered, or close resolves with the dropped
 * count and the reason). A sink without a fixture here fails the test: a new sink is covered or the
 * suite is red.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { connect } from "nats";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Message, newAttrs } from "../../../lib/message.ts";
import { sinks } from "../../../pipelines/registry.ts";
import { type Sink, SinkError, type SinkKind } from "../../../sinks/sink.ts";
import { startNatsServer } from "../../support/nats_server.ts";
import { freePort, poll, tempDir } from "../../support/process.ts";
import { recordingServer } from "../../support/recording_server.ts";
import { windowOf } from "../../support/rows.ts";
import { sinkContext, type TestContext } from "../../support/sinks.ts";

const N = 3;
const dir = tempDir("compliance");
const records = (): Message[] =>
  Array.from({ length: N }, (_, i) => ({ time: 1_763_733_600_000 + i, subject: "cms.test", data: `seq:${i}`, attrs: Object.assign(newAttrs(), { seq: String(i), site: "T2_US_MIT" }) }));
const windows = (): Message[] => windowOf(1_763_733_660_000, ["site"], Array.from({ length: N }, (_, i) => [[`T2_${i}`], { count: i + 1 }] as [string[], Record<string, number>]));

interface Made {
  sink: Sink;
  /** What reached the destination, counted there. */
  received(): Promise<number>;
  cleanup?(): Promise<void>;
}

interface Fixture {
  messages: () => Message[];
  /** A sink in front of a working destination. */
  working(ctx: TestContext): Promise<Made>;
  /** A sink whose destination fails. */
  broken(ctx: TestContext): Promise<Made>;
}

const lines = (path: string) => readFileSync(path, "utf8").split("\n").filter((l) => l !== "").length;
/** A stdout whose reader is gone: every write fails with EPIPE. */
const closedPipe = () => new Writable({ write: (_c, _e, cb) => cb(Object.assign(new Error("write EPIPE"), { code: "EPIPE" })) });
const make = (kind: string, config: unknown, ctx: TestContext) => (sinks[kind as keyof typeof sinks] as SinkKind<unknown>).create((sinks[kind as keyof typeof sinks] as SinkKind<unknown>).config.parse(config), ctx);

/** An HTTP sink against a recording server, or against a port nothing listens on. */
const http = (kind: "victoriametrics" | "pushgateway", messages: () => Message[]): Fixture => ({
  messages,
  async working(ctx) {
    const srv = await recordingServer();
    const sink = await make(kind, { url: srv.url }, ctx);
    const received = async () => srv.requests.reduce((n, r) => n + (kind === "pushgateway" ? r.body.split("\n").filter((l) => /^\w+\{/.test(l)).length : r.body.split("\n").length), 0);
    return { sink, received, cleanup: () => srv.close() };
  },
  async broken(ctx) {
    return { sink: await make(kind, { url: `http://127.0.0.1:${await freePort()}`, retries: 0 }, ctx), received: async () => 0 };
  },
});

const FIXTURES: Record<string, Fixture> = {
  console: {
    messages: records,
    async working(ctx) {
      return { sink: await make("console", {}, ctx), received: async () => ctx.out().split("\n").filter((l) => l !== "").length };
    },
    async broken(ctx) {
      return { sink: await make("console", {}, { ...ctx, stdout: closedPipe() }), received: async () => 0 };
    },
  },
  csv: {
    messages: records,
    async working(ctx) {
      const path = join(dir.path, "out.csv");
      return { sink: await make("csv", { path }, ctx), received: async () => lines(path) - 1 };
    },
    async broken(ctx) {
      return { sink: await make("csv", { path: "/dev/full", overwrite: true }, ctx), received: async () => 0 };
    },
  },
  record: {
    messages: records,
    async working(ctx) {
      const path = join(dir.path, "out.jsonl");
      return { sink: await make("record", { path }, ctx), received: async () => lines(path) };
    },
    async broken(ctx) {
      return { sink: await make("record", { path: "/dev/full", overwrite: true }, ctx), received: async () => 0 };
    },
  },
  keys: {
    messages: records,
    async working(ctx) {
      return { sink: await make("keys", {}, ctx), received: async () => Number(/^(\d+) messages;/m.exec(ctx.out())?.[1] ?? 0) };
    },
    async broken(ctx) {
      return { sink: await make("keys", {}, { ...ctx, stdout: closedPipe() }), received: async () => 0 };
    },
  },
  top: {
    messages: records,
    async working(ctx) {
      // no terminal: frames as text; the last frame counts every message
      return { sink: await make("top", { by: ["site"], every: "all" }, ctx), received: async () => Number(/ (\d+) messages /.exec(ctx.out())?.[1] ?? 0) };
    },
    async broken(ctx) {
      return { sink: await make("top", { by: ["site"] }, { ...ctx, stdout: closedPipe() }), received: async () => 0 };
    },
  },
  chart: {
    messages: windows,
    async working(ctx) {
      const path = join(dir.path, "chart.svg");
      return { sink: await make("chart", { path }, ctx), received: async () => [...readFileSync(path, "utf8").matchAll(/role-legend-label/g)].length };
    },
    async broken(ctx) {
      return { sink: await make("chart", { path: join(dir.path, "no-such-dir", "chart.svg") }, ctx), received: async () => 0 };
    },
  },
  victoriametrics: http("victoriametrics", records),
  pushgateway: http("pushgateway", windows),
  nats: {
    messages: records,
    async working(ctx) {
      const server = await startNatsServer();
      const nc = await connect({ servers: server.address });
      let got = 0;
      nc.subscribe("cms.compliance.>", { callback: () => got++ });
      await nc.flush();
      const sink = await make("nats", { subject: "cms.compliance.{site}", servers: server.address }, ctx);
      return {
        sink,
        received: () => poll("the messages to arrive", () => (got >= N ? got : undefined), 5000),
        cleanup: async () => {
          await nc.close();
          await server.stop();
        },
      };
    },
    async broken(ctx) {
      return { sink: await make("nats", { subject: "cms.x", servers: `127.0.0.1:${await freePort()}` }, ctx), received: async () => 0 };
    },
  },
};

test("every registered sink has a compliance fixture", () => {
  assert.equal(Object.keys(sinks).filter((name) => !FIXTURES[name]), [], "add a fixture for each new sink to FIXTURES");
});

for (const name of Object.keys(sinks)) {
  const fixture = FIXTURES[name];
  if (!fixture) continue;

  test(`${name}: what is written is pending until close delivers all of it; then pending() is 0`, async () => {
    const made = await fixture.working(sinkContext());
    try {
      for (const m of fixture.messages()) made.sink.write(m);
      assert.is(made.sink.pending(), N, "pending right after the writes");
      assert.equal(await made.sink.close(true), { delivered: N, dropped: 0 });
      assert.is(made.sink.pending(), 0);
      assert.is(await made.received(), N, "what the destination got");
    } finally {
      await made.cleanup?.();
    }
  });

  test(`${name}: a broken destination: every message is delivered or counted lost, with the reason`, async () => {
    const ctx = sinkContext();
    const made = await fixture.broken(ctx);
    let thrown: Error | undefined;
    for (const m of fixture.messages()) {
      try {
        made.sink.write(m);
      } catch (err) {
        thrown = err as Error; // a broken sink may say so at once; the runner then stops writing to it
        break;
      }
      await new Promise((r) => setImmediate(r)); // let its output fail between writes
    }
    const outcome = await made.sink.close(true).then(
      (r) => r,
      (err: unknown) => err,
    );
    if (outcome instanceof SinkError) {
      const { delivered, dropped } = outcome.result ?? { delivered: 0, dropped: N };
      assert.ok(dropped > 0 && delivered + dropped <= N, `${delivered} + ${dropped}`);
      assert.ok(outcome.message.length > 0);
    } else {
      assert.not.ok(outcome instanceof Error, String(outcome));
      const r = outcome as { delivered: number; dropped: number; failure?: string };
      assert.equal([r.delivered, r.dropped], [0, N], JSON.stringify(r));
      assert.ok(r.failure, "the reason of the loss");
      assert.is(thrown, undefined, "a sink that counts its losses does not throw");
    }
  });
}

test.after(() => dir.remove());

test.run();
