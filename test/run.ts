/**
 * Builds the commands (the tests run the built bin entries, never the sources), then runs every
 * test/**\/*.test.ts with uvu in one process and ends with the line CI reads: `N passed, N failed`.
 * Extra arguments narrow the run to file names matching a pattern.
 */
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const build = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(new URL("../cli/build.ts", import.meta.url))], { stdio: "inherit" });
if (build.status !== 0) {
  console.log("0 passed, 1 failed (the build failed)");
  process.exit(1);
}

const uvu = fileURLToPath(new URL("../node_modules/uvu/bin.js", import.meta.url)); // not in its exports map
const pattern = process.argv[2] ?? "\\.test\\.ts$";
const child = spawn(process.execPath, ["--import", "tsx", uvu, "test", pattern, "-i", "support"], {
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, TZ: "UTC" },
});
let out = "";
child.stdout.on("data", (chunk: Buffer) => {
  process.stdout.write(chunk);
  out = (out + chunk.toString()).slice(-4096);
});
child.on("close", (code) => {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, "");
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  // a run that died before uvu's totals counts as one failure, never as a pass
  const failed = Number.isNaN(total) ? 1 : total - passed - skipped;
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.exitCode = failed > 0 || code !== 0 ? 1 : 0;
});
