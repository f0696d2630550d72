/**
 * Ctrl-C under npx: the terminal sends SIGINT to the process group, and npm exec passes it on to its
 * child again, so the child gets the same signal twice. A run that flushed quickly can be over, its
 * handlers removed, when the copy comes: it must not kill the process after its summary.
 */
import { spawnSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT } from "../../support/cli.ts";

/** A process that stops on a SIGINT, is done (handlers removed), then gets the copy. */
const SCRIPT = `
import { stopOnSignals } from "./cli/main.ts";
const stop = stopOnSignals(() => process.exit(3));
setTimeout(() => process.exit(4), 10_000); // the signals come through the event loop: keep it going
process.kill(process.pid, "SIGINT");
await new Promise((resolve) => stop.signal.addEventListener("abort", resolve));
stop.dispose();
process.kill(process.pid, "SIGINT");
// time for the copy to arrive (not a measure of anything): it kills the process, or is ignored
setTimeout(() => process.exit(0), 200);
`;

test("the same signal again right after a stop is over is still that stop: the process exits as it decides, not by the signal", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", SCRIPT], { cwd: ROOT, encoding: "utf8" });
  assert.equal({ status: r.status, signal: r.signal }, { status: 0, signal: null }, r.stderr);
});

test.run();
