import { TestScheduler } from "rxjs/testing";
import * as assert from "uvu/assert";
import { type Attrs, type Message, newAttrs } from "../../lib/message.ts";
import { type AttributeRef, PAYLOAD_SCOPE, resolveAttribute } from "../../operators/attributes.ts";

/** A TestScheduler whose deep-equality is uvu's, so a failing marble test shows a diff. */
export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => assert.equal(actual, expected));
}

/** A parsed message at `time` with the given attributes (as `parse` makes them: null-prototype). */
export function msg(time: number, attrs: Record<string, string | number>, subject = "cms.wmarchive.exitCode.8028"): Message {
  return { time, subject, data: Object.entries(attrs).map(([k, v]) => `${k}:${v}`).join("   "), attrs: toAttrs(attrs) };
}

export function toAttrs(values: Record<string, string | number>): Attrs {
  return Object.assign(newAttrs(), values);
}

/** An attribute as a step right after parse resolves it. */
export function ref(name: string): AttributeRef {
  return resolveAttribute(name, PAYLOAD_SCOPE);
}
