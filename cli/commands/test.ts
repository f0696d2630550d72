import { Command } from "commander";
import { runPipelineTests } from "../../pipelines/pipeline_tests.ts";
import { EXIT } from "../main.ts";

export const EXAMPLES = ["cms-nats test pipelines/exitcodes-by-site.yaml", "cms-nats test pipelines/*.yaml"];

/**
 * `cms-nats test FILE...`: runs the `tests:` of pipeline files; exit 0 when all pass, 1 naming each
 * failing test with the first line that differs.
 */
export function command(): Command {
  return new Command("test")
    .description("run the tests: of pipeline files: each input replayed through the file's steps, each output compared byte for byte with its expected file")
    .argument("<file...>", "pipeline files with tests:")
    .addHelpText(
      "after",
      `
A test in a pipeline file:
  tests:
    - name: per-site counts
      input: samples/exitcodes-20k.jsonl
      expect:
        exitcodes-by-site.csv: samples/expected/exitcodes-20k.by-site-60s.csv

Examples:
${EXAMPLES.map((e) => `  ${e}`).join("\n")}`,
    )
    .action(async (files: string[]) => {
      let failed = 0;
      for (const file of files) {
        for (const t of await runPipelineTests(file)) {
          process.stdout.write(`${t.ok ? "ok" : "FAIL"}  ${file}: ${t.name}: ${t.detail}\n`);
          if (!t.ok) failed++;
        }
      }
      process.exitCode = failed > 0 ? EXIT.failure : EXIT.ok;
    });
}
