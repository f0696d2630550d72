/**
 * The must-show checks of the core issue, against counts made here independently of the pipeline
 * code: plain JSON.parse and string splits over the sample file, nothing from operators/.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT, runCli, summaryLine } from "../support/cli.ts";

interface Doc {
  time: number;
  attrs?: Record<string, string>;
}

/** Reads a sample the simple way: a payload is JSON if it starts with "{", else key:value pairs split on 3 spaces. */
function readSample(name: string): Doc[] {
  return readFileSync(join(ROOT, "samples", name), "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const rec = JSON.parse(line);
      const data: string = rec.data;
      const time = Date.parse(rec.time);
      if (data.startsWith("{")) {
        try {
          const obj = JSON.parse(data);
          const attrs: Record<string, string> = {};
          for (const [k, v] of Object.entries(obj)) attrs[k[0].toLowerCase() + k.slice(1)] = String(v);
          return { time, attrs };
        } catch {
          return { time };
        }
      }
      const pairs = data.split("   ").map((p) => [p.slice(0, p.indexOf(":")), p.slice(p.indexOf(":") + 1)]);
      if (data === "" || pairs.some(([k]) => k === "" || k.includes(" ") || !data.includes(":"))) return { time };
      if (data.split("   ").some((p) => !p.includes(":"))) return { time };
      return { time, attrs: Object.fromEntries(pairs) };
    });
}

const clean = readSample("exitcodes-20k.jsonl");
const dirty = readSample("exitcodes-20k-malformed.jsonl");

test("the samples: 20,000 valid messages, and the same plus 400 malformed ones", () => {
  assert.is(clean.length, 20000);
  assert.ok(clean.every((d) => d.attrs));
  assert.is(dirty.length, 20400);
  assert.is(dirty.filter((d) => !d.attrs).length, 400);
  assert.equal(dirty.filter((d) => d.attrs), clean);
});

for (const [sample, docs] of [["exitcodes-20k.jsonl", clean], ["exitcodes-20k-malformed.jsonl", dirty]] as const) {
  test(`stats every 60s by site on ${sample}: every count and every per-site total as counted here`, () => {
    const expected = new Map<string, number>();
    for (const d of docs) {
      if (!d.attrs) continue;
      const key = `${new Date(Math.floor(d.time / 60_000) * 60_000).toISOString()},${d.attrs.site}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const out = join(mkdtempSync(join(tmpdir(), "indep-")), "out.csv");
    const r = runCli("cms-nats", ["replay", `samples/${sample}`, "--stats", "{every: 60s, by: [site]}", "--to", `csv: {path: ${out}}`]);
    assert.is(r.code, 0, r.stderr);
    const rows: Record<string, string>[] = parseCsv(readFileSync(out), { columns: true });
    const got = new Map(rows.map((row) => [`${row.window_start},${row.site}`, Number(row.count)]));
    assert.equal(Object.fromEntries(got), Object.fromEntries(expected));
    const bad = docs.length - docs.filter((d) => d.attrs).length;
    assert.is(summaryLine(r.stderr), `summary in=${docs.length}${bad ? ` parse_errors=${bad}` : ""} aggregated=${docs.length - bad} out=${expected.size}`);
    if (bad > 0) assert.match(r.stderr, /parse error on cms\.wmarchive\.exitCode\.\d+: /);
  });
}

test("two filters and a select keep exactly the matching messages, in order (CSV read back)", () => {
  const matching = dirty.filter((d) => d.attrs && d.attrs.site.startsWith("T2_") && Number(d.attrs.exitCode) >= 8000);
  const r = runCli("cms-nats", ["replay", "samples/exitcodes-20k-malformed.jsonl", "--filter", 'site: "T2_*"', "--filter", "exitCode: {gte: 8000}", "--select", "site,exitCode,campaign", "--to", "csv:-"]);
  assert.is(r.code, 0, r.stderr);
  const rows: string[][] = parseCsv(r.stdout);
  assert.equal(rows[0], ["site", "exitCode", "campaign"]);
  assert.equal(rows.slice(1), matching.map((d) => [d.attrs!.site, d.attrs!.exitCode, d.attrs!.campaign]));
  assert.is(summaryLine(r.stderr), `summary in=20400 parse_errors=400 filtered=${20000 - matching.length} out=${matching.length}`);
});

test.run();
