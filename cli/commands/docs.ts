import { Command } from "commander";
import { kindDocs, kindList } from "../../pipelines/docs.ts";
import { UsageError } from "../usage_error.ts";
import { closest } from "../../lib/text.ts";
import { sinks, sources, steps } from "../../pipelines/registry.ts";

export const EXAMPLES = ["cms-nats docs", "cms-nats docs victoriametrics", "cms-nats docs stats"];

/** `cms-nats docs [KIND]`: generated from each kind's own schema, never written by hand. */
export function command(): Command {
  return new Command("docs")
    .description("list every source, step and sink; with KIND, every field of it with its type, default and description")
    .argument("[kind]", "a source, step or sink, e.g. csv, stats, nats")
    .addHelpText("after", `\nExamples:\n${EXAMPLES.map((e) => `  ${e}`).join("\n")}`)
    .action((name?: string) => {
      if (name === undefined) {
        process.stdout.write(kindList());
        return;
      }
      const text = kindDocs(name);
      if (text === undefined) {
        const near = closest(name, [...Object.keys(sources), ...Object.keys(steps), ...Object.keys(sinks)]);
        throw new UsageError(`no source, step or sink is called "${name}"${near ? `; did you mean ${near}?` : ""} (cms-nats docs lists them)`);
      }
      process.stdout.write(text);
    });
}
