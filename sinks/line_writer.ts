import { once } from "node:events";
import { createWriteStream, openSync } from "node:fs";
import type { Writable } from "node:stream";
import { constants, createGzip } from "node:zlib";
import * as z from "zod";
import { type Receipt, releaseAll } from "../lib/message.ts";
import { type OutputFile, SinkError, type SinkResult } from "./sink.ts";

/** The config fields of a sink that writes a file (csv, record); `append` says what appending means for it. */
export function fileFields(example: string, append: string) {
  return {
    path: z.string().min(1).describe('file to write, "-" for stdout').meta({ examples: [example] }),
    append: z.boolean().default(false).describe(append),
    overwrite: z.boolean().default(false).describe("replace a file that is not empty (--force); without it such a file is refused and left as it is"),
  };
}

/** A file sink writes lines to stdout when its path is `-`. */
export const dashIsStdout = <C extends { path: string }>(config: C): "lines" | undefined => (config.path === "-" ? "lines" : undefined);

/** The file such a sink writes (none for stdout), for the check before the run. */
export function fileOutputs(config: { path: string; append: boolean; overwrite: boolean }): OutputFile[] {
  return config.path === "-" ? [] : [{ path: config.path, append: config.append, overwrite: config.overwrite }];
}

/** Items handed to the stream in one write at most: one write per line costs far more. */
const BATCH = 1024;

/**
 * Bytes the stream may hold unwritten before the writer says it is behind, so that a replay waits
 * for a slow disk or a slow reader of a pipe instead of piling text up in memory (measured: a
 * replay of 1M messages into `| less` left waiting read all 410 MB, and grew past 400 MB RSS).
 */
export const BEHIND_BYTES = 4 * 1024 * 1024;

/** Where a writer writes: `-` is the given stdout (left open on close), anything else a file. */
export interface Target {
  path: string;
  /** Add to the file instead of replacing it. */
  append: boolean;
  stdout: Writable;
}

/**
 * How items become text, a batch at a time (csv-stringify/sync formats a whole batch of rows in one
 * call). `first` is true for the first text written to the target: a CSV puts its header there.
 */
export type Formatter<T> = (items: readonly T[], first: boolean) => string;

/**
 * Buffers items (one per message) for a file or stdout and writes them in batches, at the latest on
 * the next turn of the event loop, so output appears promptly and whole lines only are ever written
 * (an interrupted file stays valid). The file is opened (created, truncated or appended to) when the
 * first batch is written, not before: a run that fails before any output leaves it as it was. The
 * first error (open, write) is kept (`error`) and reported by `finish`; after it nothing more is
 * written. Each item stands for a number of messages (one by default; a header none), counted as
 * written when the stream confirms them. A file named `*.gz` is written gzip-compressed (appending
 * adds a gzip member, which readers take as one stream).
 */
export class LineWriter<T> {
  private out: Writable | undefined;
  /** The file under a gzip stream, whose close is the end of the writing. */
  private file: Writable | undefined;
  private gzip: GzipFile | undefined;
  private items: T[] = [];
  /** Messages the buffered items stand for. */
  private buffered = 0;
  /** Receipts of the buffered items' messages: released when their batch is confirmed written. */
  private receipts: Receipt[] = [];
  private scheduled = false;
  private failure: Error | undefined;
  private started = false;
  /** Items handed to the stream whose write has not called back yet. */
  private inFlight = 0;
  private confirmed = 0;

  constructor(
    private readonly name: string,
    private readonly target: Target,
    private readonly format: Formatter<T>,
  ) {}

  /** The first error (cannot open, EPIPE, ENOSPC...), once there was one. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Messages the stream has confirmed written. */
  get written(): number {
    return this.confirmed;
  }

  /** Messages given to `write` and not yet confirmed written (buffered or in flight). */
  get unwritten(): number {
    return this.buffered + this.inFlight;
  }

  /** True while the stream holds more than {@link BEHIND_BYTES} not yet written (a source that can wait should). */
  behind(): boolean {
    return this.out !== undefined && this.out.writableLength > BEHIND_BYTES;
  }

  /** Buffers `item`, which stands for `messages` messages (whose `receipts` it releases once written). */
  write(item: T, messages = 1, receipts?: readonly Receipt[]): void {
    this.items.push(item);
    this.buffered += messages;
    if (receipts) for (const r of receipts) this.receipts.push(r);
    if (this.items.length >= BATCH) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.failure) releaseAll(this.receipts.splice(0), false);
    if (this.items.length === 0 || this.failure) return;
    const batch = this.items;
    const n = this.buffered;
    const receipts = this.receipts;
    this.items = [];
    this.buffered = 0;
    this.receipts = [];
    this.send(batch, n, receipts);
  }

  private send(batch: T[], n: number, receipts: Receipt[] = []): void {
    const out = this.stream();
    if (!out) return releaseAll(receipts, false);
    let text: string;
    try {
      text = this.format(batch, !this.started);
    } catch (err) {
      this.failure = err as Error; // reported by finish, like a write error
      return releaseAll(receipts, false);
    }
    this.started = true;
    this.inFlight += n;
    out.write(text, (err) => {
      this.inFlight -= n;
      if (!err) this.confirmed += n;
      // compressed: taken by gzip is not yet in the file, so the receipts wait for the file's write
      if (this.gzip && !err && receipts.length > 0) this.gzip.settle(receipts);
      else releaseAll(receipts, !err);
    });
  }

  /** Opens the file on first use; a failure to open is the writer's error. */
  private stream(): Writable | undefined {
    if (this.out || this.failure) return this.out;
    const { path, append, stdout } = this.target;
    if (path === "-") this.out = stdout;
    else {
      try {
        this.file = createWriteStream("", { fd: openSync(path, append ? "a" : "w") });
      } catch (err) {
        this.failure = err as Error;
        return undefined;
      }
      this.file.on("error", (err) => (this.failure ??= err));
      if (path.endsWith(".gz")) {
        this.gzip = new GzipFile(this.file);
        this.out = this.gzip.input;
      } else this.out = this.file;
    }
    this.out.on("error", (err) => (this.failure ??= err));
    return this.out;
  }

  /**
   * Writes what is buffered and closes for the sink that handed over `messages`; with `completed`
   * and nothing written yet, the formatter's text for no items still goes out (a CSV header).
   * Resolves when all were written, else rejects with a {@link SinkError} (`failed` says what
   * failed) carrying how many were.
   */
  async finish(messages: number, completed: boolean, failed = "write failed"): Promise<SinkResult> {
    try {
      this.flush();
      if (completed && !this.started && !this.failure) this.send([], 0);
      await this.close();
    } catch (err) {
      const result = { delivered: this.confirmed, dropped: messages - this.confirmed };
      const why = (err as NodeJS.ErrnoException).syscall === "open" ? "cannot open for writing" : failed;
      throw new SinkError(this.name, `${why}: ${(err as Error).message}`, { cause: err, result });
    }
    return { delivered: messages, dropped: 0 };
  }

  /** Waits until the stream has taken everything (and closed the file, if ours). */
  private async close(): Promise<void> {
    if (this.failure) throw this.failure;
    const out = this.out;
    if (!out) return;
    if (this.file) {
      const closed = once(this.file, "close"); // rejects if the file errors first
      out.end();
      await closed;
    } else {
      await new Promise<void>((resolve, reject) => out.write("", (err) => (err ? reject(err) : resolve())));
    }
    if (this.failure) throw this.failure;
  }
}

/**
 * A gzip stream into a file that knows when what it compressed is in the file: `settle` releases
 * receipts once the data written so far has been flushed out of gzip (a sync flush) and its
 * compressed bytes written to the file, so a crash cannot lose what was acknowledged.
 */
class GzipFile {
  readonly input = createGzip();
  /** Compressed bytes gzip has put out, and those the file has written. */
  private produced = 0;
  private written = 0;
  /** Receipts waiting for the file to reach a count of bytes written, in order. */
  private waiting: { bytes: number; receipts: readonly Receipt[] }[] = [];

  constructor(file: Writable) {
    this.input.on("data", (chunk: Buffer) => {
      this.produced += chunk.length;
      const more = file.write(chunk, (err) => {
        if (err) return this.fail();
        this.written += chunk.length;
        while (this.waiting.length > 0 && this.waiting[0].bytes <= this.written) releaseAll(this.waiting.shift()!.receipts, true);
      });
      if (!more) {
        this.input.pause();
        file.once("drain", () => this.input.resume());
      }
    });
    this.input.on("end", () => file.end());
    this.input.on("error", () => this.fail());
  }

  settle(receipts: readonly Receipt[]): void {
    this.input.flush(constants.Z_SYNC_FLUSH, () => {
      // what gzip put out so far, also what it holds while the file is behind (paused)
      const bytes = this.produced + this.input.readableLength;
      if (bytes <= this.written) releaseAll(receipts, true);
      else this.waiting.push({ bytes, receipts });
    });
  }

  private fail(): void {
    for (const w of this.waiting.splice(0)) releaseAll(w.receipts, false);
  }
}
