import { test } from "uvu";
import * as assert from "uvu/assert";
import { lastValueFrom, map, of, toArray } from "rxjs";
import type { Message } from "../../../lib/message.ts";
import { compileFilter } from "../../../operators/filter_by_attribute.ts";
import { type WindowStatsOptions, windowStats } from "../../../operators/window_stats.ts";
import { msg, ref, testScheduler } from "../../support/marbles.ts";

const iso = (ms: number) => new Date(ms).toISOString();
/** A row as [window start, the by values..., the measures]: what a test compares. */
const brief = (r: Message) => [r.window!.start, ...r.window!.values, r.window!.measures];
/** A row as one line: window start, by values, count. */
const line = (r: Message) => `${r.window!.start} ${r.window!.values.join(" ")} ${r.window!.measures.count}`;
const run = (input: Message[], opts: WindowStatsOptions) => lastValueFrom(of(...input).pipe(windowStats(opts), toArray()));

test("messages clock: a window closes when a message reaches its end; the open one flushes on completion", () => {
  const a = msg(100, { site: "B" });
  const b = msg(900, { site: "A" });
  const c = msg(950, { site: "B" });
  const d = msg(1000, { site: "A" }); // exactly at the end: belongs to the next window
  testScheduler().run(({ cold, expectObservable }) => {
    const out = cold("a b c 5ms d 5ms |", { a, b, c, d }).pipe(windowStats({ everyMs: 1000, by: [ref("site")] }));
    expectObservable(out.pipe(map(line))).toBe("--- 5ms (xy) 2ms (z|)", { x: "0 A 1", y: "0 B 2", z: "1000 A 1" });
  });
});

test("rows carry their window, values, measures, rank, size and total, and the same as flat columns", async () => {
  const rows = await run([msg(1, { site: "B" }), msg(2, { site: "A" }), msg(3, { site: "B" })], { everyMs: 1000, by: [ref("site")] });
  assert.equal(rows[1].window, { start: 0, end: 1000, by: ["site"], values: ["B"], measures: { count: 2 }, rank: 1, rows: 2, total: 3 });
  assert.equal({ ...rows[1].attrs }, { window_start: iso(0), window_end: iso(1000), site: "B", count: 2 });
  assert.equal(JSON.parse(rows[1].data), { window_start: iso(0), window_end: iso(1000), site: "B", count: 2 });
  assert.is(rows[1].time, 1000);
});

test("scheduler clock: windows close on time even when no message arrives, every message counted", () => {
  testScheduler().run(({ cold, expectObservable }) => {
    // messages stamped with their arrival frame, as the NATS source does
    const source = cold("a 1499ms b 3000ms |", { a: msg(0, {}), b: msg(1500, {}) });
    const out = source.pipe(windowStats({ everyMs: 1000, clock: "scheduler" }));
    // completion at frame 4501 flushes the open window [4000, 5000)
    expectObservable(out.pipe(map(line))).toBe("1000ms x 999ms y 999ms z 999ms w 500ms (v|)", { x: "0  1", y: "1000  1", z: "2000  0", w: "3000  0", v: "4000  0" });
  });
});

test("no by: one row per window, empty windows in a gap count 0", async () => {
  const rows = await run([msg(10, {}), msg(20, {}), msg(3500, {})], { everyMs: 1000 });
  assert.equal(rows.map(brief), [[0, { count: 2 }], [1000, { count: 0 }], [2000, { count: 0 }], [3000, { count: 1 }]]);
});

test("by several attributes: rows sorted by value, numbers numerically and before text; a missing attribute counts as empty", async () => {
  const input = [
    msg(1, { site: "T2_US_MIT", exitCode: "8028" }),
    msg(2, { site: "T2_US_MIT", exitCode: "50660" }),
    msg(3, { site: "T1_US_FNAL", exitCode: "8028" }),
    msg(4, { site: "T2_US_MIT", exitCode: "8028" }),
    msg(5, { exitCode: "85" }),
    msg(6, { site: "T2_US_MIT", exitCode: "unknown" }),
    msg(7, { site: "T2_US_MIT", exitCode: "-1" }),
  ];
  const rows = await run(input, { everyMs: 60_000, by: [ref("site"), ref("exitCode")] });
  assert.equal(rows.map((r) => [...r.window!.values, r.window!.measures.count]), [
    ["", "85", 1],
    ["T1_US_FNAL", "8028", 1],
    ["T2_US_MIT", "-1", 1],
    ["T2_US_MIT", "8028", 2],
    ["T2_US_MIT", "50660", 1],
    ["T2_US_MIT", "unknown", 1],
  ]);
  assert.equal(Object.keys(rows[0].attrs!), ["window_start", "window_end", "site", "exitCode", "count"]);
});

test("top N keeps the largest counts, largest first, ties in value order; sort: count without top", async () => {
  const sites = ["C", "A", "B", "A", "C", "D", "C"];
  const input = sites.map((site, i) => msg(i, { site }));
  assert.equal((await run(input, { everyMs: 1000, by: [ref("site")], top: 3 })).map(brief), [[0, "C", { count: 3 }], [0, "A", { count: 2 }], [0, "B", { count: 1 }]]);
  assert.equal((await run(input, { everyMs: 1000, by: [ref("site")], sort: "count" })).map((r) => r.window!.values[0]), ["C", "A", "B", "D"]);
  assert.equal((await run(input, { everyMs: 1000, by: [ref("site")], top: 2 }))[0].window!.total, 7, "the total counts every message of the window");
});

test("a message whose window was already emitted is late: counted by onLate, never put in another window", async () => {
  const late: Message[] = [];
  const rows = await run([msg(1500, {}), msg(2100, {}), msg(200, {}), msg(2200, {})], { everyMs: 1000, onLate: (m) => late.push(m) });
  assert.equal(rows.map(brief), [[1000, { count: 1 }], [2000, { count: 2 }]]);
  assert.equal(late.map((m) => m.time), [200]);
});

test("lateness keeps a window open after its end for messages that come late", async () => {
  const late: Message[] = [];
  const rows = await run([msg(900, {}), msg(1100, {}), msg(950, {}), msg(1600, {}), msg(980, {})], { everyMs: 1000, latenessMs: 500, onLate: (m) => late.push(m) });
  assert.equal(rows.map(brief), [[0, { count: 2 }], [1000, { count: 2 }]]);
  assert.equal(late.map((m) => m.time), [980], "past 1000 + 500 the window was emitted");
});

test("every: all is one window for the whole run, from its first to its last message, emitted at the end", async () => {
  const input = [msg(5000, { exitCode: "8028" }), msg(9000, { exitCode: "85" }), msg(7000, { exitCode: "8028" })];
  const rows = await run(input, { everyMs: "all", by: [ref("exitCode")], top: 1 });
  assert.equal(rows.map((r) => [r.window!.start, r.window!.end, ...r.window!.values, r.window!.measures.count]), [[5000, 9000, "8028", 2]]);
});

test("measures: count_if, distinct, sum, min, max, avg; values that are not numbers are left out and reported", async () => {
  const input = [
    msg(1, { site: "A", exitCode: "0", campaign: "c1", cpu: "10" }),
    msg(2, { site: "A", exitCode: "8028", campaign: "c2", cpu: "30" }),
    msg(3, { site: "A", exitCode: "8028", campaign: "c2", cpu: "n/a" }),
    msg(4, { site: "B", exitCode: "0", campaign: "c1" }),
  ];
  const skipped: string[] = [];
  const rows = await run(input, {
    everyMs: 1000,
    by: [ref("site")],
    measures: {
      countIf: [{ name: "failed", test: compileFilter({ exitCode: { ne: 0 } }) }],
      distinct: [ref("campaign")],
      sum: [ref("cpu")],
      min: [ref("cpu")],
      max: [ref("cpu")],
      avg: [ref("cpu")],
    },
    onNonNumeric: (m) => skipped.push(m),
  });
  assert.equal(rows[0].window!.measures, { count: 3, failed: 2, distinct_campaign: 2, sum_cpu: 40, min_cpu: 10, max_cpu: 30, avg_cpu: 20 });
  assert.equal(rows[1].window!.measures, { count: 1, failed: 0, distinct_campaign: 1, sum_cpu: 0 }, "no numeric value: no min, max or avg");
  assert.equal(Object.keys(rows[0].attrs!), ["window_start", "window_end", "site", "count", "failed", "distinct_campaign", "sum_cpu", "min_cpu", "max_cpu", "avg_cpu"]);
  assert.equal(skipped, ["sum_cpu", "min_cpu", "max_cpu", "avg_cpu"]);
});

test("an exception while counting goes to the subscriber's error, not out of the source", () => {
  const broken = { ...ref("site"), get: () => { throw new RangeError("boom"); } };
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold("a|", { a: msg(1, {}) }).pipe(windowStats({ everyMs: 1000, by: [broken] }))).toBe("#", undefined, new RangeError("boom"));
  });
});

test("an empty stream emits nothing on the messages clock", async () => {
  assert.equal(await run([], { everyMs: 1000 }), []);
});

test.run();
