import { test } from "uvu";
import * as assert from "uvu/assert";
import { lastValueFrom, of, toArray } from "rxjs";
import type { Message } from "../../operators/message.ts";
import { stats } from "../../operators/stats.ts";
import { msg, testScheduler, toAttrs } from "../support/marbles.ts";

const iso = (ms: number) => new Date(ms).toISOString();
function row(start: number, every: number, by: string[], values: Record<string, string>, count: number): Message {
  return {
    time: start + every,
    subject: "stats",
    data: "",
    attrs: toAttrs({ window_start: iso(start), window_end: iso(start + every), ...values, count }),
    window: { start, end: start + every, by },
  };
}

test("messages clock: a window closes when a message reaches its end; the open one flushes on completion", () => {
  const a = msg(100, { site: "B" });
  const b = msg(900, { site: "A" });
  const c = msg(950, { site: "B" });
  const d = msg(1000, { site: "A" }); // exactly at the end: belongs to the next window
  testScheduler().run(({ cold, expectObservable }) => {
    const out = cold("a b c 5ms d 5ms |", { a, b, c, d }).pipe(stats({ everyMs: 1000, by: ["site"] }));
    expectObservable(out).toBe("--- 5ms (xy) 2ms (z|)", {
      x: row(0, 1000, ["site"], { site: "A" }, 1),
      y: row(0, 1000, ["site"], { site: "B" }, 2),
      z: row(1000, 1000, ["site"], { site: "A" }, 1),
    });
  });
});

test("scheduler clock: windows close on time even when no message arrives, every message counted", () => {
  testScheduler().run(({ cold, expectObservable }) => {
    // messages stamped with their arrival frame, as the NATS source does
    const source = cold("a 1499ms b 3000ms |", { a: msg(0, {}), b: msg(1500, {}) });
    const out = source.pipe(stats({ everyMs: 1000, clock: "scheduler" }));
    // completion at frame 4501 flushes the open window [4000, 5000)
    expectObservable(out).toBe("1000ms x 999ms y 999ms z 999ms w 500ms (v|)", {
      x: row(0, 1000, [], {}, 1),
      y: row(1000, 1000, [], {}, 1),
      z: row(2000, 1000, [], {}, 0),
      w: row(3000, 1000, [], {}, 0),
      v: row(4000, 1000, [], {}, 0),
    });
  });
});

test("no by: one row per window, empty windows in a gap count 0", async () => {
  const rows = await lastValueFrom(of(msg(10, {}), msg(20, {}), msg(3500, {})).pipe(stats({ everyMs: 1000 }), toArray()));
  assert.equal(rows.map((r) => [r.attrs!.window_start, r.attrs!.count]), [
    [iso(0), 2], [iso(1000), 0], [iso(2000), 0], [iso(3000), 1],
  ]);
});

test("by several attributes: rows sorted by value, numbers numerically; a missing attribute counts as empty", async () => {
  const input = [
    msg(1, { site: "T2_US_MIT", exitCode: "8028" }),
    msg(2, { site: "T2_US_MIT", exitCode: "50660" }),
    msg(3, { site: "T1_US_FNAL", exitCode: "8028" }),
    msg(4, { site: "T2_US_MIT", exitCode: "8028" }),
    msg(5, { exitCode: "85" }),
  ];
  const rows = await lastValueFrom(of(...input).pipe(stats({ everyMs: 60_000, by: ["site", "exitCode"] }), toArray()));
  assert.equal(rows.map((r) => [r.attrs!.site, r.attrs!.exitCode, r.attrs!.count]), [
    ["", "85", 1],
    ["T1_US_FNAL", "8028", 1],
    ["T2_US_MIT", "8028", 2],
    ["T2_US_MIT", "50660", 1],
  ]);
  assert.equal(Object.keys(rows[0].attrs!), ["window_start", "window_end", "site", "exitCode", "count"]);
});

test("top N keeps the largest counts, largest first, ties in value order", async () => {
  const sites = ["C", "A", "B", "A", "C", "D", "C"];
  const rows = await lastValueFrom(of(...sites.map((site, i) => msg(i, { site }))).pipe(stats({ everyMs: 1000, by: ["site"], top: 3 }), toArray()));
  assert.equal(rows.map((r) => [r.attrs!.site, r.attrs!.count]), [["C", 3], ["A", 2], ["B", 1]]);
});

test("a message older than the open window counts in the open window: totals stay exact", async () => {
  const rows = await lastValueFrom(of(msg(1500, {}), msg(200, {}), msg(1600, {})).pipe(stats({ everyMs: 1000 }), toArray()));
  assert.equal(rows.map((r) => [r.attrs!.window_start, r.attrs!.count]), [[iso(1000), 3]]);
});

test("an empty stream emits nothing on the messages clock", async () => {
  assert.equal(await lastValueFrom(of<Message>().pipe(stats({ everyMs: 1000 }), toArray())), []);
});

test.run();
