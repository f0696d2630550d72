/**
 * The chart sink through the built command on the 20k sample's per-site 60 s stats: the SVG read
 * back (title, axes, one line per series with a point per window, the legend naming the top sites
 * by total as counted here, the rest as other); the HTML page self-contained and rendered by headless
 * Chromium, its screenshot checked for the series' colours; stacked areas; the same bytes every run;
 * the README's picture is what the command draws; wrong names and existing files refused.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT, runCli, WORKDIR } from "../support/cli.ts";
import { skipWithout, tempDir } from "../support/process.ts";
import { countsBySite, recordedMessages } from "../support/sample_counts.ts";

const SAMPLE = "samples/exitcodes-20k.jsonl";
const STATS = ["--stats", "{every: 60s, by: [site]}"];
const CHROMIUM = "/usr/bin/chromium";
const dir = tempDir("chart");
const messages = recordedMessages(join(WORKDIR, SAMPLE));
/** The 8 sites with the most messages, counted here (ties by name). */
const topSites = [...countsBySite(messages)].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).slice(0, 8).map(([s]) => s);
const windows = new Set(messages.map((m) => Math.floor(m.time / 60_000))).size;

/** The SVG's mark groups (`<g class="mark-text role-legend-label ...">` to its end), by kind and role. */
const groups = (svg: string, mark: string, role: string) =>
  svg
    .split('<g class="')
    .filter((g) => g.startsWith(`mark-${mark} role-${role} `) || g.startsWith(`mark-${mark} role-${role}"`))
    .map((g) => g.slice(0, g.indexOf("</g>")));
const texts = (svg: string, role: string) => groups(svg, "text", role).flatMap((g) => [...g.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]));
/** The `d` of each line mark: one path per series. */
const lines = (svg: string) => groups(svg, "line", "mark").flatMap((g) => [...g.matchAll(/<path[^>]* d="([^"]+)"/g)].map((p) => p[1]));

function draw(to: string, extra: string[] = []) {
  const r = runCli("cms-nats", ["replay", SAMPLE, ...STATS, "--to", to, ...extra]);
  assert.is(r.code, 0, r.stderr);
  return r;
}

test("the SVG read back: a line per series with a point per window, the legend the top 8 sites by total then other, titled axes", () => {
  const path = join(dir.path, "sites.svg");
  draw(`chart:${path}`);
  const svg = readFileSync(path, "utf8");
  assert.ok(svg.startsWith("<svg"));
  assert.equal(texts(svg, "legend-label"), [...topSites, "other"]);
  const paths = lines(svg);
  assert.is(paths.length, 9);
  for (const d of paths) assert.is(d.split(/[ML]/).filter((p) => p.trim() !== "").length, windows, "one point per 60 s window");
  assert.equal(texts(svg, "axis-title"), ["window start (UTC)", "count"]);
  assert.ok(texts(svg, "axis-label").includes("13:30"), "24-hour UTC times");
  assert.equal(texts(svg, "title-text"), [`${SAMPLE} --stats '{every: 60s, by: [site]}'`]);
  assert.equal(texts(svg, "title-subtitle"), ["count per 1m window by site, the top 8 of 27 values (the rest as other)"]);
  draw(`chart:${path}`, ["--force"]);
  assert.is(readFileSync(path, "utf8"), svg, "the same bytes every run");
});

test("stacked areas, fewer series, a title of one's own", () => {
  const path = join(dir.path, "areas.svg");
  draw(`{chart: {path: ${path}, mark: area, series: 3, title: Failures by site}}`);
  const svg = readFileSync(path, "utf8");
  assert.is(groups(svg, "area", "mark").length, 4, "an area per series");
  assert.equal(texts(svg, "legend-label"), [...topSites.slice(0, 3), "other"]);
  assert.equal(texts(svg, "title-text"), ["Failures by site"]);
});

test("the HTML page: one file, no script, nothing fetched; the SVG inside; each series' total under it", () => {
  const path = join(dir.path, "sites.html");
  draw(`chart:${path}`);
  const html = readFileSync(path, "utf8");
  assert.not.match(html, /<script/i);
  assert.not.match(html, /\b(src|href)=/i, "nothing to fetch");
  assert.ok(html.includes("<svg"));
  const fnal = messages.filter((m) => m.site === "T1_US_FNAL").length;
  assert.ok(html.includes(`<tr><td>T1_US_FNAL</td><td>${fnal}</td></tr>`));
});

if (!skipWithout(CHROMIUM)) {
  test("headless Chromium renders the page: the screenshot shows the lines in the series' colours and the grey of other", () => {
    const path = join(dir.path, "shot.html");
    draw(`chart:${path}`);
    const png = join(dir.path, "shot.png");
    const r = spawnSync(CHROMIUM, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,600", `--screenshot=${png}`, `file://${path}`], { encoding: "utf8", timeout: 60_000 });
    assert.ok(existsSync(png), r.stderr);
    const img = PNG.sync.read(readFileSync(png));
    assert.is(img.width, 1200);
    const pixels = new Map<string, number>();
    for (let i = 0; i < img.data.length; i += 4) {
      const hex = [0, 1, 2].map((k) => img.data[i + k].toString(16).padStart(2, "0")).join("");
      pixels.set(hex, (pixels.get(hex) ?? 0) + 1);
    }
    const near = (hex: string) => {
      const [r0, g0, b0] = [0, 2, 4].map((k) => parseInt(hex.slice(k, k + 2), 16));
      let n = 0;
      for (const [h, c] of pixels) {
        const [r1, g1, b1] = [0, 2, 4].map((k) => parseInt(h.slice(k, k + 2), 16));
        if (Math.abs(r1 - r0) + Math.abs(g1 - g0) + Math.abs(b1 - b0) < 30) n += c;
      }
      return n;
    };
    assert.ok((pixels.get("ffffff") ?? 0) < img.width * img.height * 0.97, "not a blank page");
    for (const color of ["4e79a7", "f28e2b", "e15759", "8c8c8c"]) assert.ok(near(color) > 200, `pixels of ${color}: ${near(color)}`);
  });
}

test("the README's picture is what the command draws from the sample", () => {
  const path = join(dir.path, "readme.svg");
  runCli("cms-nats", ["replay", SAMPLE, "--stats", "{every: 60s, by: [site]}", "--to", `{chart: {path: ${path}, mark: area}}`]);
  assert.is(readFileSync(path, "utf8"), readFileSync(join(ROOT, "docs/sites-60s.svg"), "utf8"), "regenerate docs/sites-60s.svg with the README's command");
});

test("a chart is .html or .svg; an existing chart is kept unless --force; a chart needs stats windows", () => {
  const png = runCli("cms-nats", ["replay", SAMPLE, ...STATS, "--to", "chart:out.png"]);
  assert.is(png.code, 2);
  assert.match(png.stderr, "a chart is written as .html (a page, works offline) or .svg (the picture alone)");
  const kept = join(dir.path, "kept.svg");
  writeFileSync(kept, "<svg>mine</svg>");
  const r = runCli("cms-nats", ["replay", SAMPLE, ...STATS, "--to", `chart:${kept}`]);
  assert.is(r.code, 2);
  assert.is(readFileSync(kept, "utf8"), "<svg>mine</svg>");
  const raw = runCli("cms-nats", ["replay", SAMPLE, "--to", "chart:x.svg"]);
  assert.is(raw.code, 2);
  assert.match(raw.stderr, "add a stats step before it");
});

test.after(() => dir.remove());
test.run();
