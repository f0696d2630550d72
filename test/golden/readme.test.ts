/**
 * The README's worked examples are true: every `$ command` line of its ```console blocks is run
 * through bash (the built commands on PATH, from a directory outside the repository with samples/
 * and pipelines/ linked in), and what it prints on stdout must be the lines that follow it.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bin, cliEnv, type Command, ROOT } from "../support/cli.ts";
import { tempDir } from "../support/process.ts";

const work = tempDir("readme");
const bins = join(work.path, "bin");
mkdirSync(bins);
for (const c of ["cms-nats", "nats-sub", "nats-pub"] as Command[]) symlinkSync(bin(c), join(bins, c));
for (const name of ["samples", "pipelines"]) symlinkSync(join(ROOT, name), join(work.path, name));

/** Each `$ command` of the console blocks with the output lines shown under it. */
function examples(markdown: string): { command: string; output: string }[] {
  const out: { command: string; output: string }[] = [];
  for (const [, block] of markdown.matchAll(/```console\n([^]*?)```/g)) {
    let current: { command: string; lines: string[] } | undefined;
    // blank lines inside an output are part of it; the ones before the next command are not
    const done = (c: { command: string; lines: string[] }) => out.push({ command: c.command, output: c.lines.join("\n").trimEnd() });
    for (const line of block.split("\n")) {
      if (line.startsWith("$ ")) {
        if (current) done(current);
        current = { command: line.slice(2), lines: [] };
      } else if (current) current.lines.push(line);
    }
    if (current) done(current);
  }
  return out;
}

const shown = examples(readFileSync(join(ROOT, "README.md"), "utf8"));

test("the README shows worked examples", () => {
  assert.ok(shown.length >= 8, `${shown.length} examples`);
});

for (const { command, output } of shown) {
  test(`README: ${command.slice(0, 100)}`, () => {
    const r = spawnSync("bash", ["-o", "pipefail", "-c", command], {
      cwd: work.path,
      encoding: "utf8",
      env: cliEnv({ PATH: `${bins}:${process.env.PATH}` }),
    });
    // a pipe into head ends the command early: 141 is how a filter leaves then
    assert.ok(r.status === 0 || (r.status === 141 && command.includes("| head")), `exit ${r.status}: ${r.stderr}`);
    assert.fixture(r.stdout.trimEnd(), output);
  });
}

test.after(() => work.remove());

test.run();
