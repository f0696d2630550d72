import { test } from "uvu";
import * as assert from "uvu/assert";
import { topModel, type TopState } from "../../../../sinks/terminal/top_model.ts";
import { WINDOW_LADDER, WindowCounts } from "../../../../sinks/terminal/window_counts.ts";

const S = 1000;
const level = (c: WindowCounts, every: number | "all") => c.levels.indexOf(every);
const counts = (c: WindowCounts, every: number | "all") => c.windows(level(c, every)).map((w) => [w.start / S, w.total, Object.fromEntries(w.counts[0])]);

test("each window length keeps its own windows: switching shows its history at once", () => {
  const c = new WindowCounts(1, 3, 10 * S);
  for (const [t, v] of [[1, "a"], [2, "b"], [11, "a"], [12, "a"], [25, "b"], [31, "c"]] as const) c.add(t * S, [v]);
  assert.equal(counts(c, 10 * S), [[10, 2, { a: 2 }], [20, 1, { b: 1 }], [30, 1, { c: 1 }]], "the last 3 windows of 10 s, oldest first");
  assert.equal(counts(c, 30 * S), [[0, 5, { a: 3, b: 2 }], [30, 1, { c: 1 }]]);
  assert.equal(counts(c, "all"), [[1, 6, { a: 3, b: 2, c: 1 }]], "all: from the first message to the last");
});

test("empty windows are zero; a length not on the ladder is added in order", () => {
  const c = new WindowCounts(1, 4, 20 * S);
  assert.ok(c.levels.includes(20 * S) && c.levels.indexOf(20 * S) === c.levels.indexOf(10 * S) + 1);
  assert.is(c.levels.at(-1), "all");
  c.add(5 * S, ["x"]);
  c.add(65 * S, ["x"]);
  assert.equal(counts(c, 20 * S), [[0, 1, { x: 1 }], [20, 0, {}], [40, 0, {}], [60, 1, { x: 1 }]]);
});

test("a live clock moves the windows on without messages; a message older than every kept window still counts in all", () => {
  const c = new WindowCounts(1, 2, 10 * S);
  c.add(1 * S, ["a"]);
  c.advance(35 * S);
  assert.equal(counts(c, 10 * S), [[20, 0, {}], [30, 0, {}]]);
  c.add(2 * S, ["late"]);
  assert.equal(counts(c, 10 * S), [[20, 0, {}], [30, 0, {}]], "not in the windows shown");
  assert.equal(counts(c, "all")[0][1], 2);
  assert.equal(WINDOW_LADDER.filter((e) => e !== "all").every((e, i, a) => i === 0 || e % (a[i - 1] as number) === 0), true, "each length a multiple of the one before");
});

const state = (over: Partial<TopState> = {}): TopState => ({ title: "t", level: 0, selected: 0, status: "replay", top: 2, names: ["exitCode"], descriptions: [new Map([["8028", "FileOpenError"]])], counters: { in: 7, parse_errors: 1, filtered: 2, out: 4 }, ...over });

test("the model: top rows by count (ties by value), shares, history per value, the rest summed, counters", () => {
  const c = new WindowCounts(1, 3, 10 * S);
  for (const [t, v] of [[1, "8028"], [11, "8028"], [12, "0"], [13, "0"], [14, "8028"], [15, "85"]] as const) c.add(t * S, [v]);
  const m = topModel(c, state({ level: level(c, 10 * S) }));
  assert.equal(m.window, { start: 10 * S, end: 20 * S });
  assert.is(m.every, "10s");
  assert.is(m.total, 5);
  assert.equal(m.tables[0].rows, [
    { value: "0", count: 2, share: 0.4, history: [0, 2] },
    { value: "8028", count: 2, share: 0.4, history: [1, 2], description: "FileOpenError" },
  ]);
  assert.equal(m.tables[0].rest, { values: 1, messages: 1 });
  assert.is(m.tables[0].values, 3);
  assert.equal(m.counters, [["in", 7], ["parse_errors", 1], ["reconnects", 0], ["filtered", 2]], "in, the watched ones, then the others that are not zero");
});

test.run();
