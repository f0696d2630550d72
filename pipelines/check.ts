/**
 * The whole-pipeline check, once, before anything runs: the defaults a user leaves out (payloads are
 * parsed when something needs attributes; output goes to the console), steps in an order that works
 * (each takes what the one before it gives, each sink takes what the last step gives), the
 * attributes every step and sink sees, and the files it will write: never an input, never one file
 * twice, never a non-empty file replaced unless asked for. A failure is a usage error naming the
 * flags (or file paths) involved, before any file is touched.
 */
import { accessSync, constants, existsSync, realpathSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Shape } from "../lib/message.ts";
import { type AttributeScope, PAYLOAD_SCOPE } from "../operators/attributes.ts";
import type { OutputFile, SinkKind } from "../sinks/sink.ts";
import { SinkError } from "../sinks/sink.ts";
import { sinks, sources, steps } from "./registry.ts";
import type { SourceKind } from "./sources/source.ts";
import { type PipelineSpec, SpecError, type SinkSpec, type StepSpec, sinkOf, stepOf } from "./spec.ts";
import type { StepKind } from "./steps/step.ts";

/** What reaches one point of a pipeline. */
export interface Point {
  shape: Shape;
  scope: AttributeScope;
}

/** A spec made whole and checked, with what each step and sink sees. */
export interface Plan {
  spec: PipelineSpec;
  /** What reaches each step. */
  steps: Point[];
  /** What the pipeline's steps give. */
  output: Point;
  /** Per sink (in order): what reaches each step of its own branch, and the sink itself. */
  sinks: { steps: Point[]; input: Point }[];
}

const sourceKind = (s: PipelineSpec["from"]) => sources[s.kind] as SourceKind<unknown>;
const stepKindOf = (s: StepSpec) => steps[s.kind] as StepKind<unknown>;
const sinkKindOf = (s: SinkSpec) => sinks[s.kind] as SinkKind<unknown>;

const SHAPE_WORDS: Record<Shape, string> = { payloads: "payloads not parsed yet", records: "messages with attributes", windows: "stats window rows" };

export function planPipeline(input: PipelineSpec): Plan {
  const to = input.to.length > 0 ? input.to : [sinkOf("console", {}, "the console (the default sink)")];
  const needsAttributes = (list: readonly StepSpec[] = []) => list.some((s) => !stepKindOf(s).accepts.includes("payloads"));
  const needsParse =
    !input.steps.some((s) => s.kind === "parse") &&
    (needsAttributes(input.steps) || to.some((s) => needsAttributes(s.steps) || !sinkKindOf(s).accepts(s.config).includes("payloads")));
  const spec: PipelineSpec = { ...input, steps: needsParse ? [stepOf("parse", { format: "auto" }, "--parse auto (added first by default)"), ...input.steps] : input.steps, to };

  const walk = (list: readonly StepSpec[], from: Point, after: string) => {
    let { shape, scope } = from;
    let last = after;
    const points: Point[] = [];
    for (const step of list) {
      const kind = stepKindOf(step);
      if (!kind.accepts.includes(shape)) throw new SpecError(step.where, misplaced(step, shape, last));
      points.push({ shape, scope });
      scope = kind.scope?.(step.config, scope) ?? scope;
      shape = kind.produces(shape);
      last = step.where;
    }
    return { points, end: { shape, scope }, last };
  };
  const main = walk(spec.steps, { shape: "payloads", scope: PAYLOAD_SCOPE }, spec.from.where);
  const sinkPlans = spec.to.map((sink) => {
    const branch = walk(sink.steps ?? [], main.end, main.last);
    const accepts = sinkKindOf(sink).accepts(sink.config);
    if (!accepts.includes(branch.end.shape)) {
      const hint = accepts.length === 1 && accepts[0] === "windows" ? "; add a stats step before it, e.g. --stats '{every: 60s, by: [site]}'" : "";
      throw new SpecError(sink.where, `takes ${accepts.map((a) => SHAPE_WORDS[a]).join(" or ")}, but ${branch.last} gives ${SHAPE_WORDS[branch.end.shape]}${hint}`);
    }
    return { steps: branch.points, input: branch.end };
  });
  checkFiles(spec);
  checkStdout(spec);
  return { spec, steps: main.points, output: main.end, sinks: sinkPlans };
}

/** Why a step cannot take what reaches it, in words that say where to put it. */
function misplaced(step: StepSpec, shape: Shape, before: string): string {
  const kind = stepKindOf(step);
  if (shape === "payloads") return `needs parsed attributes, but it comes before any parse step; put --parse first (or leave it out: it is added first by default)`;
  if (step.kind === "parse") return `the payloads are parsed already (by ${before}); parse once, first`;
  return `takes ${kind.accepts.map((a) => SHAPE_WORDS[a]).join(" or ")}, but after ${before} it gets ${SHAPE_WORDS[shape]}; put it before the stats step`;
}

/** A sink that takes the whole screen (top) cannot share stdout: lines written into its screen would garble it. */
function checkStdout(spec: PipelineSpec): void {
  const writers = spec.to.filter((s) => sinkKindOf(s).stdout?.(s.config) !== undefined);
  const screen = writers.find((s) => sinkKindOf(s).stdout?.(s.config) === "screen");
  const other = writers.find((s) => s !== screen);
  if (screen && other) throw new SpecError(other.where, `writes to stdout, where ${screen.where} draws its screen; write it to a file instead (e.g. csv:out.csv)`);
}

interface Written extends OutputFile {
  where: string;
  /** The sink as reports name it: `csv out.csv`. */
  name: string;
}

/** The files the pipeline writes: see the module comment. Throws SpecError (usage) or SinkError (a path that cannot be written). */
function checkFiles(spec: PipelineSpec): void {
  const inputs = (sourceKind(spec.from).inputs?.(spec.from.config) ?? []).map((p) => ({ path: p, id: fileId(p) }));
  const outputs: Written[] = spec.to.flatMap((s) => (sinkKindOf(s).outputs?.(s.config) ?? []).map((o) => ({ ...o, where: s.where, name: `${s.kind} ${o.path}` })));
  const dead = spec.deadLetter;
  if (dead) outputs.push({ path: dead.path, append: false, overwrite: dead.overwrite, where: `--dead-letter ${dead.path}`, name: `dead-letter ${dead.path}` });
  const seen = new Map<string, string>();
  for (const out of outputs) {
    const id = fileId(out.path);
    const input = inputs.find((i) => i.id === id);
    if (input) throw new SpecError(out.where, `${out.path} is the input (${spec.from.where}): writing it would destroy what is being read; write to another file`);
    const twice = seen.get(id);
    if (twice) throw new SpecError(out.where, `${out.path} is written by ${twice} already; give each output a file of its own`);
    seen.set(id, out.where);
    writable(out);
    const size = existsSync(out.path) ? statSync(out.path).size : 0;
    if (size > 0 && !out.append && !out.overwrite) {
      throw new SpecError(out.where, `${out.path} exists and is not empty (${size} bytes); it is left as it is`, "add --force to replace it, or append (--append, append: true) to add to it");
    }
  }
}

/** Identifies a file however it is named: device and inode when it exists, else its absolute path. */
function fileId(path: string): string {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    const dir = dirname(resolve(path));
    return existsSync(dir) ? resolve(realpathSync(dir), resolve(path).slice(dir.length + 1)) : resolve(path);
  }
}

/** A path that cannot be written fails now, before any data flows (the file itself is opened by its first output). */
function writable(out: Written): void {
  const target = existsSync(out.path) ? out.path : dirname(resolve(out.path));
  try {
    accessSync(target, constants.W_OK);
    if (target === out.path && statSync(target).isDirectory()) throw Object.assign(new Error(`${out.path} is a directory`), { code: "EISDIR" });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? `ENOENT: no such directory ${target}` : code === "EISDIR" ? `EISDIR: ${out.path} is a directory` : `${code}: ${target} is not writable`;
    throw new SinkError(out.name, `cannot open for writing: ${why}`, { cause: err });
  }
}
