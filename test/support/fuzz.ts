/**
 * Shared by the fuzz tests: runs a fast-check property and counts the inputs tried, and checks that
 * nothing polluted the built-in prototypes.
 */
import fc from "fast-check";
import * as assert from "uvu/assert";

let tried = 0;

/** fc.assert with `numRuns`, counting them (fast-check prints the seed and the shrunk input on failure). */
export function check<Ts extends [unknown, ...unknown[]]>(prop: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>, numRuns: number): void | Promise<void> {
  tried += numRuns;
  return fc.assert(prop as fc.IProperty<Ts>, { numRuns });
}

/** Counts inputs given by a fixed (non-generated) case. */
export function counted(n = 1): void {
  tried += n;
}

/** Inputs tried so far in this process (every fuzz file that ran). */
export function inputsTried(): number {
  return tried;
}

const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype).sort().join();

/** Fails when anything has been added to Object.prototype (e.g. through a `__proto__` key). */
export function assertNoPollution(): void {
  assert.is(({} as Record<string, unknown>).polluted, undefined, "({}).polluted is set");
  assert.is(Object.getOwnPropertyNames(Object.prototype).sort().join(), PROTO_NAMES, "Object.prototype changed");
  assert.is(Object.getPrototypeOf({}), Object.prototype);
}

/** Keys that have meaning on ordinary objects. */
export const DANGEROUS_KEYS = ["__proto__", "constructor", "prototype", "hasOwnProperty", "toString", "valueOf", "polluted", "__defineGetter__", "isPrototypeOf"];

/** Runs `fn` and returns what it threw, or undefined. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

/** Only the documented error class may come out, with a message that says something. */
export function assertContained(err: unknown, cls: new (...args: never[]) => Error, input: unknown): void {
  if (err === undefined) return;
  if (!(err instanceof cls)) throw new Error(`${cls.name} expected for ${String(JSON.stringify(input))?.slice(0, 200)}, got ${(err as Error)?.name}: ${(err as Error)?.message}`);
  assert.ok(err.message.trim().length > 0, "empty error message");
  assert.ok(err.message.length < 2000, `error message of ${err.message.length} characters`);
}
