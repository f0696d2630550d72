/**
 * What a person sees in a real terminal (tmux, 160x48): `cms-nats top` over a replay and over a live
 * nats source, its keys (+ - tab q, Ctrl-C as a key), SIGTERM from a supervisor and Ctrl-C sent to
 * the process group, the terminal given back as it was every time (normal screen, echo and line
 * editing on), a small and a resized terminal; the progress line of replay and record, and none with
 * --quiet. Counts on the screen are checked against counts made here from the sample.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "nats";
import { parse as parseCsv } from "csv-parse/sync";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateStream } from "../../bench/generate.ts";
import { bin, WORKDIR } from "../support/cli.ts";
import { skipWithoutNatsServer, withNatsServer } from "../support/nats_server.ts";
import { tempDir } from "../support/process.ts";
import { recordedMessages } from "../support/sample_counts.ts";
import { skipWithoutTmux, startTmux, type Tmux } from "../support/tmux.ts";

const SAMPLE = "samples/exitcodes-20k.jsonl";
const messages = recordedMessages(join(WORKDIR, SAMPLE));
const top = bin("cms-nats");
const dir = tempDir("terminal");

/** The busiest values of an attribute in [start, end), counted here. */
function busiest(attr: "site" | "exitCode", start: number, end: number, n: number): [string, number][] {
  const counts = new Map<string, number>();
  for (const m of messages) if (m.time >= start && m.time < end) counts.set(m[attr], (counts.get(m[attr]) ?? 0) + 1);
  return [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).slice(0, n);
}

/** The rows of the table titled `attr` on a screen: [value, count]. */
function rows(screen: string[], attr: string): [string, number][] {
  const at = screen.findIndex((l) => new RegExp(`^(▸ )?${attr}  \\d+ values?$`).test(l));
  const out: [string, number][] = [];
  for (const line of screen.slice(at + 2)) {
    const m = /^(\S+) +(\d+) +[\d.]+%/.exec(line);
    if (!m) break;
    out.push([m[1], Number(m[2])]);
  }
  return out;
}

const restored = (stty: string) => /(^|\s)icanon(\s|$)/.test(stty) && /(^|\s)echo(\s|$)/.test(stty);
const T = (iso: string) => Date.parse(iso);

async function inTerminal(command: string, body: (t: Tmux) => Promise<void>, size = { columns: 160, rows: 48 }) {
  const t = startTmux(`echo before-the-command; ${command}`, { ...size, cwd: WORKDIR });
  try {
    await body(t);
  } finally {
    t.close();
  }
}

if (!skipWithoutTmux()) {
  test("top over the 20k sample in a 160x48 terminal: the last minute's busiest values with their exact counts, + and tab, q exits 0 and gives the terminal back", async () => {
    await inTerminal(`${top} top --from replay:${SAMPLE} --by exitCode --by site --every 1m --codes samples/exit-codes.txt`, async (t) => {
      const screen = await t.waitForScreen("the replay's last frame", (s) => s[0].endsWith("ended: q to quit"));
      console.log(`\n  top over ${SAMPLE}, 160x48, as captured:\n${screen.filter((l) => l !== "").map((l) => `    ${l}`).join("\n")}\n`);
      assert.match(screen[1], "window 1m  2026-11-21 13:59:00 → 14:00:00 UTC");
      assert.equal(rows(screen, "exitCode"), busiest("exitCode", T("2026-11-21T13:59Z"), T("2026-11-21T14:00Z"), 10));
      assert.equal(rows(screen, "site"), busiest("site", T("2026-11-21T13:59Z"), T("2026-11-21T14:00Z"), 10));
      assert.ok(screen.some((l) => /^8028 .*FileOpenError with fallback$/.test(l)), "the description of 8028");
      assert.ok(screen.every((l) => [...l].length <= 160));
      t.keys(["+"], true);
      const wider = await t.waitForScreen("the 5-minute window", (s) => s[1].startsWith("window 5m"));
      assert.equal(rows(wider, "exitCode"), busiest("exitCode", T("2026-11-21T13:55Z"), T("2026-11-21T14:00Z"), 10));
      t.keys(["Tab"]);
      await t.waitForScreen("site chosen", (s) => s.includes("▸ site  27 values") || s.some((l) => /^▸ site {2}\d+ values$/.test(l)));
      t.keys(["q"], true);
      const { code, stty } = await t.ended();
      assert.is(code, 0);
      assert.ok(restored(stty), `echo and line editing back on: ${stty}`);
      const after = t.screen();
      assert.ok(after.includes("before-the-command"), "the normal screen is back");
      assert.ok(after.some((l) => l.startsWith("summary in=20000")), "the summary, after the screen");
      assert.not.ok(after.some((l) => l.startsWith("cms-nats top")), "nothing of the view left");
    });
  });

  for (const [how, stop] of [
    ["Ctrl-C typed (a key in raw mode)", (t: Tmux) => t.keys(["C-c"])],
    ["SIGTERM to the process, as a supervisor", async (t: Tmux) => process.kill(await t.pid(), "SIGTERM")],
    ["SIGINT to the foreground process group, as a terminal", async (t: Tmux) => process.kill(-(await t.foregroundGroup()), "SIGINT")],
  ] as const) {
    test(`top stopped by ${how}: exit 0, every sink flushed, the terminal given back`, async () => {
      const csv = join(dir.path, `top-${how.length}.csv`);
      await inTerminal(`${top} top --from replay:${SAMPLE} --by site --every 10m --select site --to csv:${csv}`, async (t) => {
        await t.waitForScreen("the last frame", (s) => s[0].endsWith("ended: q to quit"));
        await stop(t);
        const { code, stty } = await t.ended();
        assert.is(code, 0);
        assert.ok(restored(stty), stty);
        assert.ok(t.screen().includes("before-the-command"));
        assert.ok(t.screen().some((l) => /^SIG(INT|TERM): stopping, flushing every sink/.test(l)), "what was said while the screen was up is shown after it");
        assert.is(parseCsv(readFileSync(csv, "utf8"), { columns: true }).length, messages.length, "the csv sink got every message");
      });
    });
  }

  test("a small terminal (80x20): the view fits, the chosen table keeps its rows; after a resize to 120x40 it fills the new size", async () => {
    await inTerminal(`${top} top --from replay:${SAMPLE} --by exitCode --by site --every 1m`, async (t) => {
      const small = await t.waitForScreen("the last frame", (s) => s[0].includes("ended"));
      assert.is(small.length, 20);
      assert.ok(small.every((l) => [...l].length <= 80));
      assert.ok(small.some((l) => l.startsWith("q quit")), "the keys line is on the screen");
      assert.ok(rows(small, "exitCode").length >= 5, "the chosen table keeps rows");
      t.resize(120, 40);
      const big = await t.waitForScreen("the resized frame", (s) => rows(s, "site").length === 10);
      assert.is(rows(big, "exitCode").length, 10);
      t.keys(["q"], true);
      assert.is((await t.ended()).code, 0);
    }, { columns: 80, rows: 20 });
  });

  test("top reads keys from the terminal when the messages come on stdin", async () => {
    await inTerminal(`cat ${SAMPLE} | ${top} top --from replay:- --by site --every all`, async (t) => {
      const s = await t.waitForScreen("the last frame", (x) => x[0].includes("ended"));
      assert.equal(rows(s, "site"), busiest("site", 0, Infinity, 10));
      t.keys(["q"], true);
      assert.is((await t.ended()).code, 0);
    });
  });

  if (!skipWithoutNatsServer()) {
    test("top over a live nats source: counts of what was published appear, q exits 0, the csv beside it has every message", () =>
      withNatsServer(undefined, async (server) => {
        const csv = join(dir.path, "live.csv");
        const from = `nats: {subject: "cms.wmarchive.exitCode.>", servers: "nats://${server.address}"}`;
        await inTerminal(`${top} top --from '${from}' --by site --by exitCode --every 1h --to csv:${csv}`, async (t) => {
          await t.waitForScreen("the live view", (s) => s[0].endsWith("live"));
          const nc = await connect({ servers: server.address });
          const sent = new Map<string, number>();
          for (let i = 0; i < 1000; i++) {
            const site = ["T2_US_MIT", "T1_US_FNAL", "T2_CH_CERN"][i % 3 === 0 ? 0 : i % 7 === 0 ? 2 : 1];
            sent.set(site, (sent.get(site) ?? 0) + 1);
            nc.publish(`cms.wmarchive.exitCode.${8000 + (i % 5)}`, `exitCode:${8000 + (i % 5)}   site:${site}`);
          }
          await nc.drain();
          const screen = await t.waitForScreen("the published counts", (s) => rows(s, "site").reduce((n, [, c]) => n + c, 0) === 1000);
          console.log(`\n  top over a live nats source, as captured:\n${screen.filter((l) => l !== "").slice(0, 12).map((l) => `    ${l}`).join("\n")}\n`);
          assert.equal(rows(screen, "site"), [...sent].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)));
          t.keys(["q"], true);
          const { code, stty } = await t.ended();
          assert.is(code, 0);
          assert.ok(restored(stty));
          assert.is(parseCsv(readFileSync(csv, "utf8"), { columns: true }).length, 1000);
        });
      }));

    test("record shows messages, bytes and rate on the terminal; the line is gone at the end", () =>
      withNatsServer(undefined, async (server) => {
        const out = join(dir.path, "rec.jsonl");
        await inTerminal(`${top} record "cms.>" -s nats://${server.address} -o ${out} --count 3000`, async (t) => {
          const nc = await connect({ servers: server.address });
          await t.waitForScreen("the progress line", (s) => s.some((l) => /messages {3}.* msg\/s/.test(l)));
          for (let i = 0; i < 3000; i++) nc.publish("cms.test", `seq:${i}`);
          await nc.drain();
          const { code } = await t.ended();
          assert.is(code, 0);
          const s = t.screen();
          assert.ok(s.some((l) => l.startsWith("summary in=3000")));
          assert.not.ok(s.some((l) => / msg\/s/.test(l)), "the progress line is erased");
        });
      }));
  }

  test("replay shows where it is (file, recorded time, rate, time left) on the terminal, a pipe what was read of it; nothing with --quiet", async () => {
    const big = join(dir.path, "big.jsonl");
    writeFileSync(big, [...generateStream({ count: 400_000, seed: 5 })].join("\n") + "\n");
    const out = join(dir.path, "big.csv");
    await inTerminal(`${top} replay ${big} --select site --to csv:${out} --force`, async (t) => {
      const s = await t.waitForScreen("the progress line", (x) => x.some((l) => /^ *\d+% .* of .* MB {3}recorded 2026-.* msg\/s {3}.* left$/.test(l)), 30_000);
      assert.ok(s.some((l) => l.includes("MB of")));
      assert.is((await t.ended(60_000)).code, 0);
      assert.not.ok(t.screen().some((l) => /msg\/s/.test(l)), "erased at the end");
    });
    // a pipe: no size known ahead, so what was read so far, counted as it is read
    await inTerminal(`${top} replay <(cat ${big}) --select site --to csv:${out} --force`, async (t) => {
      await t.waitForScreen("the progress line of a pipe", (x) => x.some((l) => /^ *[1-9][\d.]* (kB|MB) {3}recorded 2026-.* msg\/s$/.test(l)), 30_000);
      assert.is((await t.ended(60_000)).code, 0);
    });
    await inTerminal(`${top} replay ${big} --select site --to csv:${out} --force --quiet`, async (t) => {
      const seen: string[] = [];
      const ended = t.ended(60_000);
      let done = false;
      void ended.then(() => (done = true));
      while (!done) {
        seen.push(...t.screen());
        await new Promise((r) => setTimeout(r, 100)); // sampling the screen while it runs, not waiting for a condition
      }
      assert.is((await ended).code, 0);
      assert.not.ok(seen.some((l) => /msg\/s/.test(l)), "no progress with --quiet");
    });
  });
}

test.after(() => dir.remove());
test.run();
