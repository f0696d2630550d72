import type * as z from "zod";

/**
 * What every kind of source, step and sink says of itself, in its own file: its name, what it does,
 * the schema of its config (each field with its description, default and example), the field a
 * bare text fills and flag values that work. The same entry serves flags, pipeline files, `--help`,
 * `cms-nats docs` and errors; a test runs every example.
 */
export interface Kind<Config> {
  name: string;
  description: string;
  /** Takes the raw value (YAML-parsed: text, mapping or null) and gives the config. */
  config: z.ZodType<Config>;
  /** The config field a bare text value fills: `csv:out.csv` is `{csv: {path: out.csv}}`. */
  shorthand?: string;
  /** Values that work (as a flag takes them), shown in help, docs and errors. */
  examples: readonly string[];
}

/** The config type of a kind. */
export type ConfigOf<K> = K extends Kind<infer C> ? C : never;

/** A checked component of a spec: `{kind: "csv", config: {...}}`, typed per kind. */
export type ComponentOf<R> = { [N in keyof R & string]: { kind: N; config: ConfigOf<R[N]> } }[keyof R & string];
