/**
 * `cms-nats top` where stdout is not a terminal: a plain-text frame per window, every count checked
 * against counts made here with plain code from the sample; the same bytes every run; exit-code
 * descriptions from a file and from a URL (and the view without them when the URL is down); and the
 * mistakes a user makes, each a clear error.
 */
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli, runCliAsync, summaryCounts, WORKDIR } from "../support/cli.ts";
import { freePort, tempDir } from "../support/process.ts";
import { recordingServer } from "../support/recording_server.ts";
import { recordedMessages } from "../support/sample_counts.ts";

const SAMPLE = "samples/exitcodes-20k.jsonl";
const messages = recordedMessages(join(WORKDIR, SAMPLE));
const home = tempDir("top-home");

interface Frame {
  window: string;
  total: number;
  tables: Map<string, { value: string; count: number; share: string; description?: string }[]>;
  status: string;
}

/** Frames as printed: a header, then per attribute its title, column names, rows, the rest line. */
function frames(stdout: string): Frame[] {
  return stdout
    .split(/\n{3,}/)
    .filter((f) => f.trim() !== "")
    .map((text) => {
      const lines = text.split("\n");
      const head = /^window \S+ {2}(.+ UTC) {3}(\d+) messages/.exec(lines[1]);
      assert.ok(head, `a window line: ${lines[1]}`);
      const tables = new Map<string, { value: string; count: number; share: string; description?: string }[]>();
      let rows: { value: string; count: number; share: string; description?: string }[] | undefined;
      for (const line of lines.slice(4)) {
        const title = /^(\w+) {2}\d+ values?$/.exec(line);
        if (title) tables.set(title[1], (rows = []));
        else if (rows && /^\S+ +\d+ +[\d.]+%/.test(line)) {
          const [value, count, share, ...rest] = line.split(/ {2,}/);
          const description = rest.filter((r) => !/^[ ▁▂▃▄▅▆▇█]+$/.test(r)).join(" ").trim();
          rows.push({ value, count: Number(count), share, ...(description ? { description } : {}) });
        }
      }
      return { window: head[1], total: Number(head[2]), tables, status: lines[0].trim().split(/\s+/).pop()! };
    });
}

/** The top `n` values of an attribute in each window of `everyMs`, counted here: by count, ties by value. */
function expectedTop(everyMs: number, attr: "site" | "exitCode", n: number): Map<number, [string, number][]> {
  const windows = new Map<number, Map<string, number>>();
  for (const m of messages) {
    const start = Math.floor(m.time / everyMs) * everyMs;
    if (!windows.has(start)) windows.set(start, new Map());
    const w = windows.get(start)!;
    w.set(m[attr], (w.get(m[attr]) ?? 0) + 1);
  }
  return new Map([...windows].map(([start, w]) => [start, [...w].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).slice(0, n)]));
}

test("a frame per 10-minute window as it closes and the last one at the end: the top values with their exact counts and shares", () => {
  const r = runCli("cms-nats", ["top", "--from", `replay:${SAMPLE}`, "--by", "exitCode", "--by", "site", "--every", "10m", "--top", "5", "--codes", "samples/exit-codes.txt"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(summaryCounts(r.stderr).in, 20000);
  const got = frames(r.stdout);
  const exitCodes = expectedTop(600_000, "exitCode", 5);
  const sites = expectedTop(600_000, "site", 5);
  assert.is(got.length, exitCodes.size, "one frame per window of the hour");
  assert.equal(got.map((f) => f.status), [...Array(got.length - 1).fill("replay"), "ended"]);
  [...exitCodes.keys()].sort((a, b) => a - b).forEach((start, i) => {
    const f = got[i];
    assert.ok(f.window.startsWith(new Date(start).toISOString().slice(0, 19).replace("T", " ")), f.window);
    assert.equal(f.tables.get("exitCode")!.map((r) => [r.value, r.count]), exitCodes.get(start));
    assert.equal(f.tables.get("site")!.map((r) => [r.value, r.count]), sites.get(start));
    const total = messages.filter((m) => Math.floor(m.time / 600_000) * 600_000 === start).length;
    assert.is(f.total, total);
    for (const row of f.tables.get("site")!) assert.is(row.share, `${((100 * row.count) / total).toFixed(1)}%`);
  });
  const last = got.at(-1)!.tables.get("exitCode")!;
  assert.equal(last.find((r) => r.value === "8028")?.description, "FileOpenError with fallback", "descriptions from the codes file");
  assert.is(last.find((r) => r.value === "0")?.description, "Success");
});

test("the same frames, byte for byte, every run; the whole run as one window with --every all", () => {
  const args = ["top", "--from", `replay:${SAMPLE}`, "--by", "site", "--every", "30m"];
  assert.is(runCli("cms-nats", args).stdout, runCli("cms-nats", args).stdout);
  const all = frames(runCli("cms-nats", ["top", "--from", `replay:${SAMPLE}`, "--by", "site", "--every", "all", "--top", "3"]).stdout);
  assert.is(all.length, 1);
  assert.is(all[0].total, messages.length);
  assert.equal(all[0].tables.get("site")!.map((r) => [r.value, r.count]), expectedTop(Number.MAX_SAFE_INTEGER, "site", 3).get(0));
});

test("descriptions from a URL; an unreachable URL is a warning and the view goes on without them", async () => {
  const srv = await recordingServer(() => ({ status: 200, body: "# codes\n8028: FileOpenError with fallback\n" }));
  try {
    const r = await runCliAsync("cms-nats", ["top", "--from", `replay:${SAMPLE}`, "--by", "exitCode", "--every", "all", "--codes", `${srv.url}/JobExit.txt`], home.path);
    assert.is(r.code, 0, r.stderr);
    assert.is(frames(r.stdout)[0].tables.get("exitCode")!.find((x) => x.value === "8028")?.description, "FileOpenError with fallback");
  } finally {
    await srv.close();
  }
  const url = `http://127.0.0.1:${await freePort()}/JobExit.txt`;
  const down = runCli("cms-nats", ["top", "--from", `replay:${SAMPLE}`, "--by", "exitCode", "--every", "all", "--codes", url]);
  assert.is(down.code, 0, down.stderr);
  assert.match(down.stderr, `top: the codes list ${url} could not be fetched`);
  assert.ok(frames(down.stdout)[0].tables.get("exitCode")!.every((x) => x.description === undefined));
});

test("mistakes: no --by, no --from, a codes file that is not there, another sink writing into the screen", () => {
  const noBy = runCli("cms-nats", ["top", "--from", `replay:${SAMPLE}`]);
  assert.is(noBy.code, 2);
  assert.match(noBy.stderr, "say which attribute(s) to show, e.g. --by exitCode --by site");
  const noFrom = runCli("cms-nats", ["top", "--by", "site"]);
  assert.is(noFrom.code, 2);
  assert.match(noFrom.stderr, "say where messages come from, e.g. --from replay:samples/exitcodes-20k.jsonl");
  const missing = runCli("cms-nats", ["top", "--from", `replay:${SAMPLE}`, "--by", "site", "--codes", "codes.txt"]);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, "top: cannot read the codes file codes.txt: ENOENT");
  const both = runCli("cms-nats", ["top", "--from", `replay:${SAMPLE}`, "--by", "site", "--to", "console"]);
  assert.is(both.code, 2);
  assert.match(both.stderr, "--to console: writes to stdout, where the top view draws its screen; write it to a file instead");
  const every = runCli("cms-nats", ["top", "--from", `replay:${SAMPLE}`, "--by", "site", "--every", "soon"]);
  assert.is(every.code, 2);
  assert.match(every.stderr, "--every soon");
});

test.after(() => home.remove());
test.run();
