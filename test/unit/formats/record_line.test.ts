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

test("recordedTimeParser: other forms and bad texts are Date.parse's too", () => {
  const parse = recordedTimeParser();
  for (const text of ["2026-11-21T13:00:00.250Z", "2026-11-21T13:00:00.25x", "2026-11-21T13:00:00Z", "2026-11-21T14:00:00.250+01:00", "2026-11-21T13:00:00.2a0Z", "yesterday", "", "2026-11-21T13:00:01.999Z"]) {
    const want = Date.parse(text);
    const got = parse(text);
    assert.ok(Object.is(got, want), `${text}: ${got} != ${want}`);
  }
});

test.run();
