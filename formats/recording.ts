/**
 * Recording files as bytes: opened plain or gzip-compressed (told by their first bytes, not their
 * name), and described in words when they are not a recording at all (a zip, a binary file).
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { createGunzip } from "node:zlib";
import { fileLineTexts, splitLines, untilStopped } from "./lines.ts";

const GZIP = [0x1f, 0x8b];

/** Other compressed or binary formats, by their first bytes: named in the error, since they cannot be read. */
const FORMATS: [string, number[]][] = [
  ["zip", [0x50, 0x4b, 0x03, 0x04]],
  ["bzip2", [0x42, 0x5a, 0x68]],
  ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ["zstd", [0x28, 0xb5, 0x2f, 0xfd]],
];

const startsWith = (head: Uint8Array, magic: number[]) => magic.every((b, i) => head[i] === b);

/** Bytes read at a time: 1 MiB reads cost 55 MB more peak RSS (measured) for no gain in speed. */
const READ_BYTES = 256 * 1024;

/**
 * The lines of a plain (not compressed) file ({@link plainFileSize}) in batches, read into one
 * buffer reused for every read (formats/lines.ts fileLineTexts says why). `position` follows the
 * bytes read.
 */
export async function* plainFileLines(path: string, position: { bytes: number }): AsyncGenerator<string[]> {
  const file = await open(path, "r");
  try {
    for await (const text of fileLineTexts(file, READ_BYTES, position)) yield splitLines(text);
  } finally {
    await file.close();
  }
}

/**
 * Whether a recording can be read only once, from start to end: `-` (stdin), and a path that is not
 * a regular file, such as a pipe (`replay <(zcat rec.jsonl.gz)`, a FIFO). Such a path is opened
 * once and never read at a position, which a pipe refuses (ESPIPE); a path that cannot be looked at
 * is left to the open, which says why.
 */
export function readOnce(path: string): boolean {
  if (path === "-") return true;
  try {
    return !statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The bytes of a recording, decompressed when they are gzip (`.jsonl.gz`, or any name); `-` reads
 * `stdin()` (asked for only then). Throws an Error with `code` ENOENT/EACCES... for a file that
 * cannot be opened. `position` follows how far into the file the reading is (compressed bytes of a
 * gzip file), for progress. `stop` (the run's stop) ends the reading of stdin or a pipe where it
 * is: a stop must not wait for a producer that writes nothing, and what was read is then all there
 * is (a gzip stream cut short by it too: `cat rec.jsonl.gz | replay -` and Ctrl-C, which stops cat).
 */
export async function* recordingBytes(path: string, stdin: () => Readable, position: { bytes: number } = { bytes: 0 }, stop?: AbortSignal): AsyncGenerator<Buffer> {
  if (readOnce(path)) {
    yield* maybeGunzip(counted(path === "-" ? stdin() : createReadStream(path, { highWaterMark: READ_BYTES }), position, stop), stop);
    return;
  }
  const head = Buffer.alloc(2);
  const fd = openSync(path, "r");
  const n = readSync(fd, head, 0, 2, 0);
  const input = createReadStream("", { fd, highWaterMark: READ_BYTES });
  for await (const chunk of n === 2 && startsWith(head, GZIP) ? input.pipe(createGunzip({ chunkSize: READ_BYTES })) : input) {
    position.bytes = input.bytesRead;
    yield chunk as Buffer;
  }
}

/** A stream's chunks as bytes, added to `position` as they are read (what progress shows of a stream); until `stop`, which ends it. */
async function* counted(input: Readable, position: { bytes: number }, stop: AbortSignal | undefined): AsyncGenerator<Buffer> {
  for await (const chunk of untilStopped<Buffer | string>(input, stop)) {
    const buf: Buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    position.bytes += buf.length;
    yield buf;
  }
}

/** Stdin or a pipe cannot be peeked at before reading: its first chunk says whether the rest goes through gunzip; after `stop`, a gzip stream may end anywhere. */
async function* maybeGunzip(it: AsyncGenerator<Buffer>, stop: AbortSignal | undefined): AsyncGenerator<Buffer> {
  const first = await it.next();
  if (first.done) return;
  const chunk = first.value;
  if (!startsWith(chunk, GZIP)) {
    yield chunk;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    return;
  }
  const gunzip = createGunzip();
  (async () => {
    gunzip.write(chunk);
    for (let r = await it.next(); !r.done; r = await it.next()) if (!gunzip.write(r.value)) await new Promise((ok) => gunzip.once("drain", ok));
    gunzip.end();
  })().catch((err) => gunzip.destroy(err));
  try {
    yield* gunzip;
  } catch (err) {
    if (stop && (err as NodeJS.ErrnoException).code === "Z_BUF_ERROR") await delay(CUT_BY_STOP_MS, undefined, { signal: stop }).catch(() => undefined); // ends early at the stop
    if (!stop?.aborted) throw err; // the stop cut the stream short: "unexpected end of file"
  }
}

/**
 * How long after a gzip stream from stdin or a pipe ended short a stop is still taken for its cause.
 * Ctrl-C stops the producer and the replay at once, but the replay may see the end the producer's
 * death causes before its own signal handler runs (1 try in 6 did: exit 1, "unexpected end of file").
 * Only a stream that ended short waits, and only this long.
 */
const CUT_BY_STOP_MS = 500;

/** The size of a recording that is a plain (not compressed) file, which can be read in ranges; undefined for stdin, a pipe or gzip. */
export function plainFileSize(path: string): number | undefined {
  if (readOnce(path)) return undefined;
  const head = Buffer.alloc(2);
  const fd = openSync(path, "r");
  try {
    const n = readSync(fd, head, 0, 2, 0);
    return n === 2 && startsWith(head, GZIP) ? undefined : fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

/**
 * What a file that holds no readable recorded line looks like, in words: "a zip file", "binary
 * data (NUL bytes)", or its first line. Reads at most 4 KiB of it.
 */
export function describeContent(path: string): string {
  if (readOnce(path)) return `${path === "-" ? "standard input" : "the pipe"} held no recorded line`;
  const head = Buffer.alloc(4096);
  let n = 0;
  try {
    const fd = openSync(path, "r");
    n = readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
  } catch {
    return "it cannot be read";
  }
  const bytes = head.subarray(0, n);
  for (const [name, magic] of FORMATS) if (startsWith(bytes, magic)) return `it looks like a ${name} file; unpack it first (gzip files are read as they are)`;
  if (bytes.includes(0)) return "it holds binary data (NUL bytes), not JSON Lines";
  const line = bytes.toString("utf8").split("\n", 1)[0].slice(0, 80);
  return `its lines are not recorded messages; the first one is '${line}'`;
}
