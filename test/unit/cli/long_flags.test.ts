import { Command } from "commander";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { longFlags } from "../../../cli/long_flags.ts";
import { UsageError } from "../../../cli/usage_error.ts";

const cmd = new Command("x").option("--cmsAuth <f>").option("--append").option("-o, --output <f>").option("--since <t>").argument("[subject]");

test("Go-style single-dash long flags become --flags; values (whatever they look like) and after -- stay", () => {
  assert.equal(longFlags(["-cmsAuth", "-f", "-append", "-o", "-", "--since", "-2h", "subj", "--", "-raw"], cmd), ["--cmsAuth", "-f", "--append", "-o", "-", "--since", "-2h", "subj", "--", "-raw"]);
  assert.equal(longFlags(["-cmsAuth=a", "x"], cmd), ["--cmsAuth=a", "x"]);
});

test("a single-dash word that is no long flag is refused, never read as short flags plus a value", () => {
  assert.throws(() => longFlags(["-outpt", "x"], cmd), (e: unknown) => e instanceof UsageError && /unknown flag -outpt; did you mean --output\?/.test(e.message));
});

test.run();
