/**
 * Where the read-ahead worker's code is. Run from the sources (tsx), a small module that lets the
 * worker load TypeScript (workers do not inherit tsx's loader) and imports read_ahead_worker.ts;
 * cli/build.ts replaces this module in a bundle with the worker's own bundled code as a data: URL,
 * so a bundle still needs nothing beside itself.
 */
const boot = `import { register } from ${JSON.stringify(import.meta.resolve("tsx/esm/api"))};
register();
await import(${JSON.stringify(new URL("./read_ahead_worker.ts", import.meta.url).href)});`;

export const workerUrl = new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
