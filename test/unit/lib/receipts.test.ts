/**
 * Receipts, what a JetStream message's ack waits for: released only once what came of the message is
 * delivered (a stats window emitted, a file write confirmed, an HTTP batch answered 2xx), and
 * released as not delivered when it was given up.
 */
import { readFileSync } from "node:fs";
import { constants, gunzipSync } from "node:zlib";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { Subject } from "rxjs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Message, Receipt } from "../../../lib/message.ts";
import { windowStats } from "../../../operators/window_stats.ts";
import { HttpBatcher } from "../../../sinks/http/batcher.ts";
import { LineWriter } from "../../../sinks/line_writer.ts";
import { msg, ref } from "../../support/marbles.ts";
import { tempDir } from "../../support/process.ts";
import { recordingServer } from "../../support/recording_server.ts";

/** A receipt held once (as the source holds it while handing the message on) that notes how it was settled. */
function tracked(): Receipt & { settled?: boolean; holds: number } {
  const r = {
    holds: 1,
    settled: undefined as boolean | undefined,
    failed: false,
    hold: () => void r.holds++,
    release(delivered: boolean) {
      if (!delivered) r.failed = true;
      if (--r.holds === 0) r.settled = !r.failed;
    },
  };
  return r;
}

const withReceipt = (m: Message, r: Receipt): Message => ({ ...m, receipts: [r] });

test("a stats window holds its messages' receipts until its rows are emitted; the last row carries them", async () => {
  const input = new Subject<Message>();
  const rows: Message[] = [];
  input.pipe(windowStats({ everyMs: 1000, by: [ref("site")] })).subscribe((r) => rows.push(r));
  const [a, b, c] = [tracked(), tracked(), tracked()];
  for (const [m, r] of [[msg(100, { site: "A" }), a], [msg(200, { site: "B" }), b]] as const) {
    input.next(withReceipt(m, r));
    r.release(true); // the source has handed it on
  }
  assert.equal([a.settled, b.settled], [undefined, undefined], "held while the window is open");
  input.next(withReceipt(msg(1500, { site: "A" }), c)); // closes the first window
  c.release(true);
  assert.is(rows.length, 2);
  assert.equal([rows[0].receipts, rows[1].receipts?.length], [undefined, 2]);
  assert.equal([a.settled, b.settled, c.settled], [true, true, undefined], "released once emitted (no sink held them)");
  input.complete();
  assert.is(c.settled, true, "the last window at completion");
});

test("the run's whole window (every: all) keeps every receipt to the end", async () => {
  const receipts = [tracked(), tracked()];
  const input = new Subject<Message>();
  const rows: Message[] = [];
  input.pipe(windowStats({ everyMs: "all", by: [ref("site")] })).subscribe((r) => rows.push(r));
  receipts.forEach((r, i) => {
    input.next(withReceipt(msg(i * 3_600_000, { site: "A" }), r));
    r.release(true);
  });
  assert.equal(receipts.map((r) => r.settled), [undefined, undefined], "hours apart, still held");
  input.complete();
  assert.is(rows[0].receipts?.length, 2);
  assert.equal(receipts.map((r) => r.settled), [true, true]);
});

test("a file's receipts are released when the write is confirmed; after a failed open or write, as not delivered", async () => {
  const dir = tempDir("receipts");
  try {
    const path = join(dir.path, "out.txt");
    const w = new LineWriter<string>("test", { path, append: false, stdout: new PassThrough() }, (lines) => lines.map((l) => l + "\n").join(""));
    const r = tracked();
    r.hold();
    w.write("one", 1, [r]);
    r.release(true);
    assert.is(r.settled, undefined, "buffered, not yet written");
    await w.finish(1, true);
    assert.is(r.settled, true);
    assert.is(readFileSync(path, "utf8"), "one\n");

    for (const bad of [join(dir.path, "no", "such", "dir"), "/dev/full"]) {
      const broken = new LineWriter<string>("test", { path: bad, append: false, stdout: new PassThrough() }, (lines) => lines.join("\n"));
      const lost = tracked();
      lost.hold();
      broken.write("two", 1, [lost]);
      lost.release(true);
      await broken.finish(1, true).catch(() => undefined); // the sink reports the failure
      assert.is(lost.settled, false, bad);
    }
  } finally {
    dir.remove();
  }
});

test("a gzip file's receipts are released once the compressed lines are in the file, not when gzip took them", async () => {
  const dir = tempDir("receipts-gz");
  try {
    const path = join(dir.path, "out.jsonl.gz");
    const w = new LineWriter<string>("test", { path, append: false, stdout: new PassThrough() }, (lines) => lines.map((l) => l + "\n").join(""));
    const inFile: string[] = [];
    const receipts = ["one", "two"].map((line) => {
      const r = tracked();
      const release = r.release.bind(r);
      // at the moment it is settled, what does the file hold?
      r.release = (delivered) => {
        release(delivered);
        if (r.settled) inFile.push(gunzipSync(readFileSync(path), { finishFlush: constants.Z_SYNC_FLUSH }).toString());
      };
      r.hold();
      w.write(line, 1, [r]);
      r.release(true);
      return r;
    });
    await w.finish(2, true);
    assert.equal(receipts.map((r) => r.settled), [true, true]);
    assert.ok(inFile.every((text) => text === "one\ntwo\n"), JSON.stringify(inFile));
  } finally {
    dir.remove();
  }
});

test("an HTTP batch's receipts are released on a 2xx, and as not delivered when it is dropped (4xx)", async () => {
  for (const [status, settled] of [[204, true], [400, false]] as const) {
    const srv = await recordingServer(() => ({ status }));
    try {
      const b = new HttpBatcher<string>("test", { url: srv.url, method: "POST", contentType: "text/plain", body: (items) => items.join("\n") }, { batch: 10, queue: 100, drop: "oldest", retries: 1, backoffMs: 1, timeoutMs: 2_000 }, () => undefined);
      const r = tracked();
      r.hold();
      b.push("x", [r]);
      r.release(true);
      assert.is(r.settled, undefined, "queued");
      await b.close();
      assert.is(r.settled, settled, `HTTP ${status}`);
    } finally {
      await srv.close();
    }
  }
});

test.run();
