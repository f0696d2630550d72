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
 * Modules a command reaches through `import()` (the pipeline, nats, prom-client) stay in the same file
 * but are evaluated only when reached; cms-nats carries the largest of them as compressed text (see
 * `embedded`), so `--version` or a replay does not even parse them.
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants as zlib } from "node:zlib";
import { type BuildOptions, build, type Plugin } from "esbuild";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const COMMANDS = ["cms-nats", "nats-sub", "nats-pub"] as const;
/** The oldest Node.js the bundles are built for and tested with (README: Node.js versions). */
export const NODE_TARGET = "node20";

/**
 * The path of an imported module from the project's root, as a module esbuild does not read itself
 * is named in a bundle: an absolute one would put the build directory in every bundle.
 */
const fromRoot = (dir: string, path: string) => relative(ROOT, resolve(dir, path));

/** A module replaced by `contents`: imports matching `filter`. */
const stub = (name: string, filter: RegExp, contents: string): Plugin => ({
  name,
  setup(b) {
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: name }));
    b.onLoad({ filter: /.*/, namespace: name }, () => ({ contents, loader: "js" }));
  },
});
// Ink loads react-devtools-core only when DEV=true is set; it is not installed, and never wanted here
const noDevtools = stub("no-devtools", /^react-devtools-core$/, "export default {};");
/**
 * rxjs as ES modules: its package sends Node.js to its CommonJS build ("node" comes first in its
 * exports), which esbuild cannot tree-shake, so every operator of rxjs was bundled and initialized
 * at every start. Its ES build (flagged free of side effects) leaves out what is not used: 320 KB
 * less per command, and `cms-nats replay` of one line 273 → 249 ms (25 runs alternated, medians).
 */
const rxjsModules: Plugin = {
  name: "rxjs-modules",
  setup(b) {
    const root = dirname(createRequire(ROOT).resolve("rxjs/package.json"));
    b.onResolve({ filter: /^rxjs$/ }, () => ({ path: `${root}/dist/esm/index.js` }));
  },
};
// zod is imported as `import * as z from "zod"` everywhere: esbuild tree-shakes a namespace that is
// only read by property. One `import { z } from "zod"` (its `z` object) brought all of zod back,
// its 50 locales and JSON Schema import included: 0.6 MB more per bundle (the launcher test checks)
/** The modules that draw (with Ink and React, with Vega): only cms-nats reaches them (top, the chart sink); the Go tools leave them out. */
const DRAWING = /(^|\/)(terminal\/screens\.tsx|chart\/render\.ts)$/;
const noDrawing = stub("no-drawing", DRAWING, 'throw new Error("this command does not draw (cms-nats top and the chart sink do)");');

/**
 * Modules bundled on their own and carried in cms-nats.mjs as brotli-compressed base64 text,
 * compiled only when imported: the drawing ones (Ink, React, Vega; only `top` and the chart sink
 * draw), from a data: URL, and the packages a run reaches only when it connects to NATS or pushes
 * to a Pushgateway (nats, prom-client; every import of them is an `import()` already), as CommonJS. V8 parses
 * every function of a file it loads, even one never called: Ink, React and Vega as code added 120 ms
 * to every start (hyperfine). As plain base64 (3.6 MB) node still read and scanned them at every
 * start, 30 ms of `cms-nats --version`; compressed they are 0.7 MB, and unpacking them when imported
 * takes about 8 ms. nats and prom-client as code were another 27 ms of every start that never
 * connects (a replay). The command's `require` is handed over for their CommonJS parts.
 */
const embedded = (plugins: Plugin[]): Plugin => ({
  name: "embedded",
  setup(b) {
    b.onResolve({ filter: DRAWING }, (args) => ({ path: fromRoot(args.resolveDir, args.path), namespace: "embedded" }));
    b.onResolve({ filter: CARRIED_PACKAGES }, (args) => ({ path: args.path, namespace: "embedded-package" }));
    b.onLoad({ filter: /.*/, namespace: "embedded" }, async (args) => {
      const r = await alone({ entryPoints: [resolve(ROOT, args.path)] }, plugins);
      return carried(r.outputFiles![0].text, Object.values(r.metafile!.outputs)[0].exports, args.path.split("/").pop()!);
    });
    b.onLoad({ filter: /.*/, namespace: "embedded-package" }, async (args) => {
      // CommonJS: its names are known once it runs, so they are read off it here
      const names = Object.keys(createRequire(ROOT)(args.path));
      const r = await alone({ stdin: { contents: `module.exports = require(${JSON.stringify(args.path)});`, resolveDir: ROOT, loader: "js" }, format: "cjs" }, [], {});
      return carriedCommonJs(r.outputFiles![0].text, names, args.path);
    });
  },
});
/** Packages cms-nats carries as text (see {@link embedded}); nats-sub and nats-pub connect at every run and keep them as code. */
const CARRIED_PACKAGES = /^(nats|prom-client)$/;

/**
 * A module bundled alone, as text, for a bundle to carry; by default it reaches for the command's
 * `require` ({@link embedded}), which a module run on a thread of its own does not have.
 */
const alone = (entry: Pick<BuildOptions, "entryPoints" | "stdin" | "format">, plugins: Plugin[], banner: BuildOptions["banner"] = { js: `const require = globalThis[Symbol.for("cms-nats.require")];` }) =>
  build({ ...options([], plugins), ...entry, outdir: undefined, outfile: "alone.mjs", write: false, metafile: true, banner });

/**
 * Code run from a data: URL, named `name` in stack traces: without a name, each frame of one is its
 * URL, the whole module in base64. nats.js makes a stack at every close (whyClosed): formatting one
 * took 18 ms of each `cms-nats run` exit (--cpu-prof), and an error's stack would print megabytes.
 */
function named(code: string, name: string): string {
  return `${code}\n//# sourceURL=carried:${name}\n`;
}

/** Code as a bundle carries it: brotli-compressed, in base64. */
function packed(code: string, name: string): string {
  // quality 9: 11 packed them 10 % smaller but took 7 s of every build
  return brotliCompressSync(named(ascii(code), name), { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } }).toString("base64");
}

/** What the module standing in for a carried one exports: `names` of `from`. */
const exported = (names: readonly string[], from: string) => names.map((n) => `export const ${n} = ${from}.${n};`).join("\n");

/** The module standing in for a carried ES module: it unpacks the code, imports it from a data: URL and exports `names`. */
function carried(code: string, names: readonly string[], name: string): { contents: string; loader: "js" } {
  // the URL is put together at run time: esbuild would bundle a literal data: import as code again
  const contents = `globalThis[Symbol.for("cms-nats.require")] ??= require;\nconst { brotliDecompressSync } = await import("node:zlib");\nconst code = brotliDecompressSync(Buffer.from(${JSON.stringify(packed(code, name))}, "base64")).toString("base64");\nconst m = await import("data:text/javascript;base64," + code);\n${exported(names, "m")}\n`;
  return { contents, loader: "js" };
}

/**
 * The module standing in for a carried CommonJS package: it unpacks the code and runs it as node
 * runs a CommonJS file, a function of (module, exports, require), then exports `names`. Not from a
 * data: URL: that URL (the code again in base64) and the loader's copies of it were 3.3 MB of large
 * strings that outlived the start, and cost a full collection and 2,000 page faults in the first
 * second of a `cms-nats run` from NATS (stub server, 200k messages, 7 runs alternated: 510 ms of
 * CPU, against 430 with nats bundled as code and 440 run this way).
 */
function carriedCommonJs(code: string, names: readonly string[], name: string): { contents: string; loader: "js" } {
  const contents = `const { brotliDecompressSync } = await import("node:zlib");\nconst { compileFunction } = await import("node:vm");\nconst carried = { exports: {} };\ncompileFunction(brotliDecompressSync(Buffer.from(${JSON.stringify(packed(code, name))}, "base64")).toString("latin1"), ["module", "exports", "require"], { filename: "carried:${name}" })(carried, carried.exports, require);\n${exported(names, "carried.exports")}\n`;
  return { contents, loader: "js" };
}

/**
 * The replay's read-ahead worker (pipelines/sources/read_ahead_worker.ts), bundled on its own and
 * carried as a data: URL the worker threads start from: nothing beside the bundle to find at run time.
 */
const WORKER_URL = /(^|\/)read_ahead_worker_url\.ts$/;
const workerCode: Plugin = {
  name: "worker-code",
  setup(b) {
    b.onResolve({ filter: WORKER_URL }, (args) => ({ path: fromRoot(args.resolveDir, args.path), namespace: "worker-code" }));
    b.onLoad({ filter: /.*/, namespace: "worker-code" }, async () => {
      const r = await alone({ entryPoints: [`${ROOT}pipelines/sources/read_ahead_worker.ts`] }, [], {});
      const code = Buffer.from(named(ascii(r.outputFiles![0].text), "read_ahead_worker.ts")).toString("base64");
      return { contents: `export const workerUrl = new URL("data:text/javascript;base64," + ${JSON.stringify(code)});\n`, loader: "js" };
    });
  },
};

const options = (commands: readonly string[], plugins: Plugin[]): BuildOptions => ({
  entryPoints: Object.fromEntries(commands.map((c) => [c, `${ROOT}cli/${c}.ts`])),
  outdir: `${ROOT}dist`,
  outExtension: { ".js": ".mjs" }, // ESM by its name, so it runs without a package.json beside it
  // module names in a bundle are relative to this: the same bundle wherever it is built from
  absWorkingDir: ROOT,
  bundle: true,
  splitting: false,
  platform: "node",
  format: "esm",
  target: NODE_TARGET,
  // CommonJS packages inside (nats, prom-client) call require() for Node built-ins
  banner: { js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);' },
  legalComments: "none",
  logLevel: "warning",
  jsx: "automatic",
  // React's production build: its development one checks every render and warns on the console
  define: { "process.env.NODE_ENV": '"production"' },
  plugins: [rxjsModules, ...plugins],
});

/**
 * The bundle with the non-ASCII characters of the comments it kept (a dash, in a package's) written
 * as `\u2014`: esbuild writes code in ASCII already. V8 holds a command's source text in memory
 * for as long as it runs, two bytes a character once one of them is not Latin-1: 6 MB more RSS for
 * every process, for three characters (measured).
 */
function ascii(code: string): string {
  return code.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

rmSync(`${ROOT}dist`, { recursive: true, force: true });
await Promise.all([build(options(["cms-nats"], [embedded([noDevtools]), noDevtools, workerCode])), build(options(["nats-sub", "nats-pub"], [noDrawing, workerCode]))]);
for (const c of COMMANDS) {
  const file = `${ROOT}dist/${c}.mjs`;
  // the sources keep their development shebang (npx tsx); a bundle is started by node alone
  writeFileSync(file, "#!/usr/bin/env node\n" + ascii(readFileSync(file, "utf8").replace(/^#!.*\n/, "")));
  chmodSync(file, 0o755);
}
