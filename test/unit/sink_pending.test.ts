/**
 * The parts of the sink contract a shutdown relies on, for the file and stdout sinks: `pending()`
 * counts what is written and not yet confirmed, and is 0 once `close` has resolved; a sink whose
 * file fails (disk full: /dev/full) throws on its next write and its close reports what it wrote.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Message } from "../../operators/message.ts";
import { consoleSink } from "../../sinks/console.ts";
import { csvSink } from "../../sinks/csv.ts";
import { recordSink } from "../../sinks/record.ts";
import { type Sink, type SinkContext, SinkError } from "../../sinks/sink.ts";
import { poll, tempDir } from "../support/process.ts";

const ctx = (): SinkContext => ({ stdout: new PassThrough().resume(), warn: () => undefined });
const msg = (i: number): Message => ({ time: 1_763_733_600_000 + i, subject: "cms.test", data: `seq:${i}`, attrs: { seq: String(i) } });

const dir = tempDir("sink-pending");
const makers: [string, () => Sink][] = [
  ["csv", () => csvSink({ path: join(dir.path, "out.csv"), append: false }, ctx())],
  ["record", () => recordSink({ path: join(dir.path, "out.jsonl"), append: false }, ctx())],
  ["console", () => consoleSink({ format: "values", time: false, label: "" }, ctx())],
  ["console counts", () => consoleSink({ format: "counts", time: false, label: "x" }, ctx())],
];

for (const [name, make] of makers) {
  test(`${name}: pending() counts what is written and not yet confirmed; 0 after close`, async () => {
    const sink = make();
    for (let i = 1; i <= 3; i++) sink.write(i === 3 && name === "console counts" ? { ...msg(i), window: { start: 0, end: 1, by: [] } } : msg(i));
    assert.is(sink.pending(), 3);
    const r = await sink.close();
    assert.equal([r.delivered, r.dropped, sink.pending()], [3, 0, 0]);
  });
}

for (const [name, make] of [
  ["csv", () => csvSink({ path: "/dev/full", append: false }, ctx())],
  ["record", () => recordSink({ path: "/dev/full", append: false }, ctx())],
] as [string, () => Sink][]) {
  test(`${name} on a full disk: the next write throws, close reports 0 of N written`, async () => {
    const sink = make();
    sink.write(msg(1));
    let thrown: Error | undefined;
    await poll("the write error to show", () => {
      try {
        sink.write(msg(2));
        return false;
      } catch (err) {
        thrown = err as Error;
        return true;
      }
    });
    assert.match(thrown!.message, /ENOSPC/);
    const err = await sink.close().then(() => undefined, (e: unknown) => e);
    assert.instance(err, SinkError);
    assert.match((err as SinkError).message, /write failed: ENOSPC/);
    const { delivered, dropped } = (err as SinkError).result!;
    assert.is(delivered, 0);
    assert.ok(dropped >= 1);
  });
}

test.after(() => {
  assert.ok(readFileSync(join(dir.path, "out.jsonl"), "utf8").split("\n").length > 1);
  dir.remove();
});

test.run();
