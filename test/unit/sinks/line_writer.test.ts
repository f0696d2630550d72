/**
 * The writer every file sink writes through (sinks/line_writer.ts): items are formatted a few at a
 * time as they come, their text gathered in a chunk's bytes, and the chunks handed to a stream that
 * writes them later (a file). What it writes is exactly the items' text, in order, whatever the
 * chunks; every message is counted and its receipt released once written.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Receipt } from "../../../lib/message.ts";
import { LineWriter } from "../../../sinks/line_writer.ts";
import { tempDir } from "../../support/process.ts";

const released = (settled: boolean[]): Receipt => ({ hold: () => undefined, release: (delivered) => void settled.push(delivered) });

test("a file gets exactly the lines written, in order, across many chunks and with a line longer than a chunk among them", async () => {
  const dir = tempDir("line-writer");
  try {
    const path = join(dir.path, "out.txt");
    const w = new LineWriter<string>("test", { path, append: false, stdout: new PassThrough() }, (lines) => lines.map((l) => `${l}\n`).join(""));
    const lines: string[] = [];
    // 300 KB in one turn: the file's writes are still pending when the next chunks are filled
    for (let i = 0; i < 6000; i++) lines.push(i === 3000 ? "é".repeat(100_000) : `line ${i} ${"x".repeat(i % 70)}`);
    for (const line of lines) w.write(line);
    assert.is(w.unwritten, lines.length);
    await w.finish(lines.length, true);
    assert.is(readFileSync(path, "utf8"), lines.map((l) => `${l}\n`).join(""));
    assert.is(w.written, lines.length);
    assert.is(w.unwritten, 0);
  } finally {
    dir.remove();
  }
});

test("an item of no text is counted and its receipt released once what came before it is written", async () => {
  const dir = tempDir("line-writer");
  try {
    const path = join(dir.path, "out.txt");
    const w = new LineWriter<string>("test", { path, append: false, stdout: new PassThrough() }, (items) => items.join(""));
    const settled: boolean[] = [];
    w.write("a line\n", 1, [released(settled)]);
    await new Promise((resolve) => setImmediate(resolve)); // the line goes to the file
    w.write("", 1, [released(settled)]);
    await w.finish(2, true);
    assert.equal(settled, [true, true]);
    assert.is(w.written, 2);
    assert.is(readFileSync(path, "utf8"), "a line\n");
  } finally {
    dir.remove();
  }
});

test.run();
