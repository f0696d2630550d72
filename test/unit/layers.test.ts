/**
 * The layout's rule, checked on the sources themselves: every import points down the layers
 * (cli → pipelines → sinks → operators → formats | nats → lib), nothing imports cli/ or test/, and
 * the import graph has no cycle.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT } from "../support/cli.ts";

/** Lower number: lower layer. formats and nats are side by side: neither imports the other. */
const LAYERS: Record<string, number> = { lib: 0, formats: 1, nats: 1, operators: 2, sinks: 3, pipelines: 4, cli: 5 };

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

const files = Object.keys(LAYERS).flatMap(sources);
const imports = new Map<string, string[]>();
for (const file of files) {
  const text = readFileSync(join(ROOT, file), "utf8");
  // import/export ... from "./x.ts", a bare import "./x.ts", and import("./x.ts")
  const found = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^"']*?from\s+["'](\.[^"']+)["']|(?:^|\n)\s*import\s+["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
  imports.set(file, found.map((spec) => relative(ROOT, resolve(join(ROOT, dirname(file)), spec))));
}
const layerOf = (file: string) => LAYERS[file.split("/")[0]];

test("every import points down the layers, or stays in its own folder; nothing imports cli/ or test/", () => {
  const wrong: string[] = [];
  for (const [file, deps] of imports) {
    for (const dep of deps) {
      const top = dep.split("/")[0];
      if (top === "test" || (top === "cli" && layerOf(file) !== LAYERS.cli)) wrong.push(`${file} → ${dep}`);
      else if (top === "package.json") continue;
      else if (!(top in LAYERS)) wrong.push(`${file} → ${dep} (outside the layers)`);
      else if (layerOf(dep) > layerOf(file) || (layerOf(dep) === layerOf(file) && top !== file.split("/")[0])) wrong.push(`${file} → ${dep}`);
    }
  }
  assert.equal(wrong, []);
  assert.ok(files.length > 40, `${files.length} files checked`);
});

test("the import graph has no cycle", () => {
  const state = new Map<string, "visiting" | "done">();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "visiting") {
      cycles.push([...path.slice(path.indexOf(file)), file].join(" → "));
      return;
    }
    state.set(file, "visiting");
    for (const dep of imports.get(file) ?? []) visit(dep, [...path, file]);
    state.set(file, "done");
  };
  for (const file of files) visit(file, []);
  assert.equal(cycles, []);
});

test.run();
