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

/**
 * Items formatted together as soon as they are there, their text put into bytes: an item waiting
 * for a batch keeps all it refers to alive (a console line its payload, a record its message). A
 * whole batch of 1,024 of them, survivors of every young-generation collection, made V8 grow the
 * heap: `nats-sub -attrs` used 550 ms of CPU for 200k messages from a stub server, 470 this way
 * (`npx tsx bench/subscriber_cpu.ts`; groups of 8 measured the same, of 1 worse).
 */
const GROUP = 32;
/** Bytes of text handed to the stream in one write: one write per line costs far more. */
const CHUNK_BYTES = 64 * 1024;

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
 * Buffers items (one per message) for a file or stdout and writes them as text in chunks, at the
 * latest on the next turn of the event loop, so output appears promptly and whole lines only are
 * ever written (an interrupted file stays valid). Items are formatted a few at a time as they come
 * (see {@link GROUP}) into the bytes of the next chunk. The file is opened (created, truncated or
 * appended to) when the first chunk is written, not before: a run that fails before any output
 * leaves it as it was. The first error (open, write, format) is kept (`error`) and reported by
 * `finish`; after it nothing more is written. Each item stands for a number of messages (one by
 * default; a header none), counted as written when the stream confirms them. A file named `*.gz` is
 * written gzip-compressed (appending adds a gzip member, which readers take as one stream).
 */
export class LineWriter<T> {
  private out: Writable | undefined;
  /** The file under a gzip stream, whose close is the end of the writing. */
  private file: Writable | undefined;
  private gzip: GzipFile | undefined;
  /** Items not yet formatted, the messages they stand for and the receipts of those. */
  private items: T[] = [];
  private itemMessages = 0;
  private itemReceipts: Receipt[] = [];
  /** The text of the next chunk, in bytes (`used` of them), and the messages and receipts of its items. */
  private chunk: Buffer | undefined;
  private used = 0;
  private chunkMessages = 0;
  private chunkReceipts: Receipt[] = [];
  private scheduled = false;
  private failure: Error | undefined;
  private started = false;
  /** Messages handed to the stream whose write has not called back yet. */
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
    return this.itemMessages + this.chunkMessages + this.inFlight;
  }

  /** True while the stream holds more than {@link BEHIND_BYTES} not yet written (a source that can wait should). */
  behind(): boolean {
    return this.out !== undefined && this.out.writableLength > BEHIND_BYTES;
  }

  /** Buffers `item`, which stands for `messages` messages (whose `receipts` it releases once written). */
  write(item: T, messages = 1, receipts?: readonly Receipt[]): void {
    this.items.push(item);
    this.itemMessages += messages;
    if (receipts) for (const r of receipts) this.itemReceipts.push(r);
    if (this.items.length >= GROUP) this.encode();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    this.encode();
    this.send();
  }

  /** Formats the items waiting (with `header`, also none: a CSV's header alone) into the chunk; a chunk that is full goes out first. */
  private encode(header = false): void {
    if (this.failure) releaseAll(this.itemReceipts.splice(0), false);
    if ((this.items.length === 0 && !header) || this.failure) return;
    let text: string;
    try {
      text = this.format(this.items, !this.started);
    } catch (err) {
      this.failure = err as Error; // reported by finish, like a write error
      this.itemMessages = 0;
      releaseAll(this.itemReceipts.splice(0), false);
      return;
    } finally {
      this.items = [];
    }
    this.started = true;
    const bytes = Buffer.byteLength(text);
    if (this.used + bytes > CHUNK_BYTES) this.send();
    this.chunkMessages += this.itemMessages;
    for (const r of this.itemReceipts) this.chunkReceipts.push(r);
    this.itemMessages = 0;
    this.itemReceipts = [];
    if (bytes > CHUNK_BYTES) return this.send(false, text); // alone, whole
    this.chunk ??= Buffer.allocUnsafeSlow(CHUNK_BYTES);
    this.used += this.chunk.write(text, this.used);
  }

  /**
   * Hands the chunk (or `text`, larger than a chunk) to the stream; with `open`, also nothing (the
   * file is created). The stream gets a copy of the bytes, as long as they are: it keeps what it is
   * given until written, and a chunk's buffer is filled again (a buffer per write, mostly empty
   * when a slow stream brings a message a turn, would be 64 KB held per message).
   */
  private send(open = false, text?: string): void {
    const data = text ?? (this.used > 0 ? Buffer.from(this.chunk!.subarray(0, this.used)) : "");
    const n = this.chunkMessages;
    const receipts = this.chunkReceipts;
    this.used = 0;
    this.chunkMessages = 0;
    this.chunkReceipts = [];
    if (this.failure) return releaseAll(receipts, false);
    // items of no text still go through the stream: their receipts are released after what came before
    if (data.length === 0 && n === 0 && receipts.length === 0 && !open) return;
    const out = this.stream();
    if (!out) return releaseAll(receipts, false);
    this.inFlight += n;
    out.write(data, (err) => {
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
      // a completed run that wrote nothing still leaves its file, with what the formatter gives for no items (a CSV header)
      const empty = completed && !this.started;
      this.encode(empty);
      this.send(empty);
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
