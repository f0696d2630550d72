import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { recordedTimeParser } from "../../../formats/record_line.ts";

test("recordedTimeParser gives Date.parse's answer for times in order, across second boundaries", () => {
  fc.assert(
    fc.property(fc.integer({ min: -62_000_000_000_000, max: 253_000_000_000_000 }), fc.array(fc.integer({ min: 0, max: 3_000 }), { maxLength: 50 }), (start, gaps) => {
      const parse = recordedTimeParser();
      let t = start;
      for (const gap of [0, ...gaps]) {
        t += gap;
        const text = new Date(t).toISOString();
        assert.is(parse(text), Date.parse(text), text);
      }
    }),
    { numRuns: 500 },
  );
});

test("recordedTimeParser: texts of the recorded form with any characters in it, in any order, are Date.parse's answer", () => {
  // the form's every position: mostly digits, now and then a separator or a letter, as a damaged time would be
  const char = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(..."0123456789") }, { weight: 1, arbitrary: fc.constantFrom(..."-:.TZ x+") });
  const shaped = fc.array(char, { minLength: 24, maxLength: 24 }).map((cs) => cs.join(""));
  const valid = fc.integer({ min: -62_000_000_000_000, max: 253_000_000_000_000 }).map((t) => new Date(t).toISOString());
  // a valid time with one position changed: a month 13, an hour 24, a minute 60, a letter
  const damaged = fc.tuple(valid, fc.integer({ min: 0, max: 23 }), char).map(([t, i, c]) => t.slice(0, i) + c + t.slice(i + 1));
  // a valid day with each time field at or past its end: 24:00:00.000 is the next day's start, 13:60 is no time
  const edge = fc.tuple(valid, fc.constantFrom("00", "23", "24", "25"), fc.constantFrom("00", "59", "60"), fc.constantFrom("00", "59", "60"), fc.constantFrom("000", "001", "999"))
    .map(([t, h, m, s, ms]) => `${t.slice(0, 11)}${h}:${m}:${s}.${ms}Z`);
  fc.assert(
    fc.property(fc.array(fc.oneof(valid, damaged, shaped, edge), { maxLength: 40 }), (texts) => {
      const parse = recordedTimeParser();
      for (const text of texts.sort()) assert.ok(Object.is(parse(text), Date.parse(text)), `${text}: ${parse(text)} != ${Date.parse(text)}`);
    }),
    { numRuns: 1000 },
  );
});

test("recordedTimeParser: other forms and bad texts are Date.parse's too", () => {
  const parse = recordedTimeParser();
  for (const text of ["2026-11-21T24:00:00.000Z", "2026-11-21T23:59:60.000Z", "2026-11-21T13:60:00.000Z", "2026-02-30T10:00:00.000Z", "2026-13-01T00:00:00.000Z", "2026-11-21T13:00:00.250Z", "2026-11-21T13:00:00.25x", "2026-11-21T13:00:00Z", "2026-11-21T14:00:00.250+01:00", "2026-11-21T13:00:00.2a0Z", "yesterday", "", "2026-11-21T13:00:01.999Z"]) {
    const want = Date.parse(text);
    const got = parse(text);
    assert.ok(Object.is(got, want), `${text}: ${got} != ${want}`);
  }
});

test.run();
