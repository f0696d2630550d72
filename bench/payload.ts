#!/usr/bin/env -S npx tsx
/**
 * Payload decoding alone, per payload, on this thread: the bench's cms and JSON payloads (200k, the
 * generator's seed 3), decoded whole and with one attribute wanted (`site`, as `-attrs site`, a
 * select or stats by site ask), next to the least each format needs: `split` of the separator for
 * cms, `JSON.parse` for JSON. The variants alternate round by round, so a busy machine slows them
 * alike; the median round is kept.
 *
 *   npx tsx bench/payload.ts [--count 200000] [--rounds 5]
 */
import { parseArgs } from "node:util";
import { DEFAULT_SEP, payloadDecoder } from "../formats/payload.ts";
import { generateStream } from "./generate.ts";

interface Variant {
  name: string;
  run: (payloads: readonly string[]) => number;
}

const only = new Set(["site"]);
const decoded = (wanted?: ReadonlySet<string>) => (payloads: readonly string[]) => {
  const decoder = payloadDecoder();
  let found = 0;
  for (const p of payloads) if (decoder.decode(p, wanted).site !== undefined) found++;
  return found;
};

const VARIANTS: Record<"cms" | "json", Variant[]> = {
  cms: [
    { name: "split of the separator (anchor)", run: (ps) => ps.reduce((n, p) => n + (p.split(DEFAULT_SEP).some((kv) => kv.startsWith("site:")) ? 1 : 0), 0) },
    { name: "decode, whole", run: decoded() },
    { name: "decode, only site", run: decoded(only) },
  ],
  json: [
    { name: "JSON.parse (anchor)", run: (ps) => ps.reduce((n, p) => n + ((JSON.parse(p) as { Site?: string }).Site !== undefined ? 1 : 0), 0) },
    { name: "decode, whole", run: decoded() },
    { name: "decode, only site", run: decoded(only) },
  ],
};

export function payloadFigures(count: number, rounds: number): { format: string; name: string; ns: number }[] {
  const payloads = [...generateStream({ count, seed: 3 })].map((l) => (JSON.parse(l) as { data: string }).data);
  const out: { format: string; name: string; ns: number }[] = [];
  for (const format of ["cms", "json"] as const) {
    const set = payloads.filter((p) => (p.charCodeAt(0) === 0x7b) === (format === "json"));
    const times = VARIANTS[format].map(() => [] as number[]);
    for (let r = 0; r < rounds; r++) {
      for (const [i, v] of VARIANTS[format].entries()) {
        const start = performance.now();
        const found = v.run(set);
        times[i].push(((performance.now() - start) * 1e6) / set.length);
        if (found !== set.length) throw new Error(`${format} ${v.name}: site found in ${found} of ${set.length}`);
      }
    }
    for (const [i, v] of VARIANTS[format].entries()) out.push({ format: `${format} (${set.length})`, name: v.name, ns: times[i].sort((a, b) => a - b)[Math.floor(rounds / 2)] });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { count: { type: "string", default: "200000" }, rounds: { type: "string", default: "5" } } });
  console.log(`payload decoding, ns per payload, median of ${values.rounds} alternating rounds; node ${process.version}`);
  for (const f of payloadFigures(Number(values.count), Number(values.rounds))) console.log(`  ${f.format.padEnd(13)} ${f.name.padEnd(34)} ${f.ns.toFixed(0).padStart(6)} ns`);
}
