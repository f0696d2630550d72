import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseDescriptions } from "../../../../sinks/terminal/descriptions.ts";
import { bar, sparkline, windowText } from "../../../../sinks/terminal/format.ts";
import { windowBars } from "../../../../sinks/terminal/bars.ts";
import { windowOf } from "../../../support/rows.ts";

test("sparkline: scaled to the largest, zero blank, any count at least the lowest block", () => {
  assert.is(sparkline([0, 1, 4, 8, 100]), " ▁▁▁█");
  assert.is(sparkline([1, 2, 3, 4, 5, 6, 7, 8]), "▁▂▃▄▅▆▇█");
  assert.is(sparkline([0, 0]), "  ");
});

test("bar: to an eighth of a cell, never empty above zero", () => {
  assert.is(bar(1, 4), "████");
  assert.is(bar(0.5, 3), "█▌");
  assert.is(bar(0.001, 10), "▏");
  assert.is(bar(0, 10), "");
});

test("window times in UTC, the date repeated across midnight", () => {
  assert.is(windowText({ start: Date.UTC(2026, 10, 21, 13, 0, 10), end: Date.UTC(2026, 10, 21, 13, 0, 20) }), "2026-11-21 13:00:10 → 13:00:20 UTC");
  assert.is(windowText({ start: Date.UTC(2026, 10, 21, 23, 59), end: Date.UTC(2026, 10, 22, 0, 0) }), "2026-11-21 23:59:00 → 2026-11-22 00:00:00 UTC");
});

test("code lists: comments and blanks left out, the description is all after the first colon (the Go dashboard cut it at the second)", () => {
  const m = parseDescriptions("# CMS codes\n\n8028: FileOpenError with fallback\n9: killed, unblockable (POSIX) kill:9\r\nnot a code line\n:no code\n8028: a second one is ignored\n");
  assert.equal([...m], [["8028", "FileOpenError with fallback"], ["9", "killed, unblockable (POSIX) kill:9"]]);
});

test("bars: a line per row scaled to the largest, labels padded and cut, the value after the bar", () => {
  const rows = windowOf(Date.UTC(2026, 10, 21, 13, 1), ["site"], [[["T1_US_FNAL"], { count: 40 }], [["T2_A_VERY_LONG_SITE_NAME_INDEED"], { count: 10 }], [[""], { count: 0 }]]).map((m) => m.window!);
  assert.is(
    windowBars(rows, "count", 40),
    [
      "2026-11-21 13:00:00 → 13:01:00 UTC   50 messages",
      "T1_US_FNAL        ██████████████████  40",
      "T2_A_VERY_LONG_…  ████▌               10",
      "(none)                                 0",
      "",
      "",
    ].join("\n"),
  );
});

test.run();
