import type { z } from "zod";

/**
 * One kind of source, step or sink as the pipeline spec knows it: the schema that checks (and
 * normalizes) its config, the text `--help` and errors show, and how to build it. The same entry
 * serves flags, pipeline files, help and validation.
 */
export interface Kind<Config, Context, Built> {
  description: string;
  /** Takes the raw value (YAML-parsed: text, mapping or null) and gives the config. */
  config: z.ZodType<Config>;
  /** The config field a bare text value fills: `csv:out.csv` is `{csv: {path: out.csv}}`. */
  shorthand?: string;
  /** Flag values that work, shown in help and in errors. */
  examples: readonly string[];
  create(config: Config, ctx: Context): Built;
}

/** The config type of a kind. */
export type ConfigOf<K> = K extends Kind<infer C, never, unknown> ? C : never;

/** A checked component of a spec: `{kind: "csv", config: {...}}`, typed per kind. */
export type ComponentOf<R> = { [N in keyof R & string]: { kind: N; config: ConfigOf<R[N]> } }[keyof R & string];
