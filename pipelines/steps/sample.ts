import * as z from "zod";
import { sampleMessages } from "../../operators/sample_messages.ts";
import { stepKind } from "./step.ts";

/** `--sample 0.1` is `{fraction: 0.1, seed: 1}`. */
export const sampleConfig = z.preprocess(
  (v) => (typeof v === "number" || (typeof v === "string" && /^[\d.]+$/.test(v)) ? { fraction: Number(v) } : v),
  z.strictObject({
    fraction: z.number().gt(0).max(1).describe("share of the messages kept, e.g. 0.1").meta({ examples: [0.1] }),
    seed: z.number().int().default(1).describe("another seed keeps another sample; the same seed the same one"),
  }),
);

export const kind = stepKind({
  name: "sample",
  description: "keep a share of the messages, chosen by a seeded pseudo-random sequence: the same input gives the same sample",
  config: sampleConfig,
  examples: ["0.1", "'{fraction: 0.01, seed: 7}'"],
  accepts: ["payloads", "records"],
  produces: (input) => input,
  create: (config, ctx) => {
    const dropped = ctx.counter("sampled_out", "drop");
    return sampleMessages(config.fraction, config.seed, () => dropped.n++);
  },
});
