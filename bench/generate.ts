#!/usr/bin/env -S npx tsx
/**
 * Generates realistic WMArchive exit-code traffic in the recorded file format, deterministically
 * (a seeded PRNG): the same options always give the same bytes. Used to make samples/ and the
 * benchmark inputs.
 *
 *   bench/generate.ts --count 20000 --seed 1 [--malformed 400] [--json 0.3] > samples/x.jsonl
 *
 * `--malformed N` inserts N malformed payloads between the valid messages, drawn from a second PRNG,
 * so the valid messages are exactly those of the same run without `--malformed`.
 */
import { parseArgs } from "node:util";
import { prng } from "../lib/prng.ts";

export interface GenerateOptions {
  count: number;
  seed: number;
  /** Malformed payloads to insert. @default 0 */
  malformed?: number;
  /** Share of messages in the JSON format of the newer Go publisher. @default 0.3 */
  jsonShare?: number;
  /** Time of the first message, ms since the epoch. @default 2026-11-21T13:00:00Z */
  start?: number;
  /** Mean messages per second. @default 5.5 */
  rate?: number;
}

/** [value, weight] lists: production failures are concentrated on a few sites and codes. */
const SITES: [string, number][] = [
  ["T1_US_FNAL", 14], ["T2_US_Caltech", 8], ["T2_US_MIT", 7], ["T2_US_Nebraska", 7], ["T2_US_Purdue", 6],
  ["T2_US_Wisconsin", 6], ["T2_US_UCSD", 5], ["T2_US_Florida", 4], ["T2_US_Vanderbilt", 3], ["T2_CH_CERN", 9],
  ["T1_DE_KIT", 6], ["T1_IT_CNAF", 5], ["T1_FR_CCIN2P3", 4], ["T1_UK_RAL", 5], ["T1_ES_PIC", 2], ["T2_DE_DESY", 5],
  ["T2_DE_RWTH", 3], ["T2_IT_Legnaro", 3], ["T2_IT_Pisa", 2], ["T2_FR_IPHC", 2], ["T2_UK_London_IC", 4],
  ["T2_ES_CIEMAT", 2], ["T2_BE_IIHE", 2], ["T2_CN_Beijing", 1], ["T3_US_NERSC", 2], ["T3_US_OSG", 1], ["T0_CH_CERN", 1],
];
const EXIT_CODES: [number, number][] = [
  [8028, 18], [50660, 12], [8021, 9], [50664, 8], [60450, 7], [99109, 6], [71104, 6], [8001, 5], [85, 4],
  [60307, 4], [50115, 3], [134, 3], [139, 2], [11003, 2], [73, 1], [50513, 1], [0, 9],
];
const CAMPAIGNS = [
  "RunIISummer20UL18SIM", "RunIISummer20UL17RECO", "RunIISummer20UL16MiniAODv2", "Run3Summer22EEGS",
  "Run3Winter24Digi", "Run3Summer23BPixNanoAODv12", "RunIISummer20UL18wmLHEGEN", "Run3Summer22DRPremix",
];
const PRIMARY = [
  "QCD_Pt-15to7000_TuneCP5_Flat2018_13TeV_pythia8", "TTTo2L2Nu_TuneCP5_13TeV-powheg-pythia8",
  "DYJetsToLL_M-50_TuneCP5_13TeV-amcatnloFXFX-pythia8", "WJetsToLNu_TuneCP5_13TeV-madgraphMLM-pythia8",
  "GluGluHToGG_M125_TuneCP5_13TeV-amcatnloFXFX-pythia8", "ZprimeToMuMu_M-5000_TuneCP5_13TeV-pythia8",
  "BuToKJpsi_Toee_Mufilter_SoftQCDnonD_TuneCP5_13TeV-pythia8-evtgen",
];
const TIERS: Record<string, string> = { SIM: "GEN-SIM", RECO: "AODSIM", GS: "GEN-SIM", Digi: "GEN-SIM-RAW", LHEGEN: "GEN" };
const MALFORMED = [
  "exitCode 8028 site T2_US_MIT",
  '{"Task":"/pdmvserv_task_EXO-RunIISummer20UL18SIM-01234__v1_T_2611',
  "",
  "{\"Site\":\"T2_US_MIT\",\"ExitCode\":8028",
  "exit code:8028   site:T2_US_MIT",
  "[8028, \"T2_US_MIT\"]",
  "campaign:RunIISummer20UL18SIM   T2_DE_DESY   exitCode:50660",
  ":8028   site:T1_US_FNAL",
  "{not json at all}",
  "null",
];

function weighted<T>(rand: () => number, items: [T, number][]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = rand() * total;
  for (const [v, w] of items) if ((r -= w) < 0) return v;
  return items[items.length - 1][0];
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

function document(rand: () => number) {
  const campaign = pick(rand, CAMPAIGNS);
  const primary = pick(rand, PRIMARY);
  const step = Object.keys(TIERS).find((k) => campaign.includes(k)) ?? "SIM";
  const version = 1 + Math.floor(rand() * 3);
  const request = String(Math.floor(rand() * 90000) + 10000);
  const pwg = pick(rand, ["EXO", "HIG", "TOP", "SMP", "BPH", "JME"]);
  const stamp = `26${String(10 + Math.floor(rand() * 2)).padStart(2, "0")}${String(1 + Math.floor(rand() * 28)).padStart(2, "0")}_${String(Math.floor(rand() * 240000)).padStart(6, "0")}_${Math.floor(rand() * 9000) + 1000}`;
  return {
    campaign,
    dataset: `/${primary}/${campaign}-106X_upgrade2018_realistic_v11_L1v1-v${version}/${TIERS[step]}`,
    exitCode: weighted(rand, EXIT_CODES),
    site: weighted(rand, SITES),
    task: `/pdmvserv_task_${pwg}-${campaign}-${request}__v1_T_${stamp}/${pwg}-${campaign}-${request}_0`,
  };
}

function payload(d: ReturnType<typeof document>, json: boolean): string {
  if (json) return JSON.stringify({ Task: d.task, Campaign: d.campaign, Site: d.site, Dataset: d.dataset, ExitCode: d.exitCode });
  return `campaign:${d.campaign}   dataset:${d.dataset}   exitCode:${d.exitCode}   site:${d.site}   task:${d.task}`;
}

/** Yields recorded lines (without newlines). */
export function* generateStream(opts: GenerateOptions): Generator<string> {
  const rand = prng(opts.seed);
  const badRand = prng(opts.seed ^ 0x5bd1e995);
  const malformed = opts.malformed ?? 0;
  const meanGapMs = 1000 / (opts.rate ?? 5.5);
  let time = opts.start ?? Date.parse("2026-11-21T13:00:00Z");
  // positions of the malformed payloads among the valid ones, spread evenly with jitter
  const badAfter = new Map<number, number>();
  for (let i = 0; i < malformed; i++) {
    const at = Math.floor(((i + badRand()) * opts.count) / malformed);
    badAfter.set(at, (badAfter.get(at) ?? 0) + 1);
  }
  for (let i = 0; i < opts.count; i++) {
    time += Math.max(1, Math.round(-Math.log(1 - rand()) * meanGapMs));
    const d = document(rand);
    const json = rand() < (opts.jsonShare ?? 0.3);
    yield JSON.stringify({ time: new Date(time).toISOString(), subject: `cms.wmarchive.exitCode.${d.exitCode}`, data: payload(d, json) });
    for (let b = badAfter.get(i) ?? 0; b > 0; b--) {
      const code = weighted(badRand, EXIT_CODES);
      yield JSON.stringify({ time: new Date(time).toISOString(), subject: `cms.wmarchive.exitCode.${code}`, data: pick(badRand, MALFORMED) });
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      count: { type: "string", default: "20000" },
      seed: { type: "string", default: "1" },
      malformed: { type: "string", default: "0" },
      json: { type: "string", default: "0.3" },
    },
  });
  const lines: string[] = [];
  for (const line of generateStream({ count: Number(values.count), seed: Number(values.seed), malformed: Number(values.malformed), jsonShare: Number(values.json) })) {
    lines.push(line);
    if (lines.length === 10000) process.stdout.write(lines.splice(0).join("\n") + "\n");
  }
  if (lines.length > 0) process.stdout.write(lines.join("\n") + "\n");
}
