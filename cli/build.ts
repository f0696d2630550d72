#!/usr/bin/env -S npx tsx
/**
 * Bundles each command (cli/cms-nats.ts, cli/nats-sub.ts, cli/nats-pub.ts) into one self-contained
 * JavaScript file in dist/, run by plain `node`: the `bin` entries of package.json. `npm ci` runs it
 * (the `prepare` script). A bundle needs nothing beside itself, so it can be copied alone (next to
 * the Go binaries on CVMFS) and run from any directory.
 *
 *   npx tsx cli/build.ts
 *
 * Why a bundle: through the `npx tsx` shebang every command was six processes and 1.3 s of start-up
 * (tsx compiles each module on a hook thread); the bundle is one process that starts in tens of ms.
 * Modules a command reaches through `import()` (nats, prom-client, the pipeline) stay in the same file
 * but are evaluated only when reached, so `--version` or a replay never pays for NATS.
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const COMMANDS = ["cms-nats", "nats-sub", "nats-pub"] as const;
/** The oldest Node.js the bundles are built for and tested with (README: Node.js versions). */
export const NODE_TARGET = "node20";

rmSync(`${ROOT}dist`, { recursive: true, force: true });
await build({
  entryPoints: Object.fromEntries(COMMANDS.map((c) => [c, `${ROOT}cli/${c}.ts`])),
  outdir: `${ROOT}dist`,
  outExtension: { ".js": ".mjs" }, // ESM by its name, so it runs without a package.json beside it
  bundle: true,
  splitting: false,
  platform: "node",
  format: "esm",
  target: NODE_TARGET,
  // CommonJS packages inside (nats, prom-client) call require() for Node built-ins
  banner: { js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);' },
  legalComments: "none",
  logLevel: "warning",
});
for (const c of COMMANDS) {
  const file = `${ROOT}dist/${c}.mjs`;
  // the sources keep their development shebang (npx tsx); a bundle is started by node alone
  writeFileSync(file, "#!/usr/bin/env node\n" + readFileSync(file, "utf8").replace(/^#!.*\n/, ""));
  chmodSync(file, 0o755);
}
