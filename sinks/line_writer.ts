import { once } from "node:events";
import { createWriteStream, openSync } from "node:fs";
import type { Writable } from "node:stream";
import { SinkError, type SinkResult } from "./sink.ts";

/** Text is handed to the stream in chunks of about this size: one write per line costs far more. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Buffers text for a file or stdout and writes it in chunks, at the latest on the next turn of the
 * event loop, so output appears promptly and whole lines only are ever written (an interrupted
 * file stays valid). The first write error is kept (`error`) and reported by `close`; after it
 * nothing more is written. Each piece of text says how many messages it holds, so the writer can
 * tell how many are written (confirmed by the stream) and how many are not yet.
 */
export class LineWriter {
  private pending: string[] = [];
  private pendingChars = 0;
  private scheduled = false;
  private failure: Error | undefined;
  /** Messages in `pending`. */
  private buffered = 0;
  /** Messages handed to the stream whose write has not called back yet. */
  private inFlight = 0;
  private confirmed = 0;

  private constructor(
    private readonly out: Writable,
    private readonly owned: boolean,
  ) {
    out.on("error", (err) => (this.failure ??= err));
  }

  /**
   * `-` means the given stdout (left open on close); anything else is a file, truncated or appended.
   * The file is opened at once, so a path that cannot be written fails here, before any data flows,
   * with a {@link SinkError} of the sink `name`.
   */
  static open(name: string, path: string, stdout: Writable, append = false): LineWriter {
    if (path === "-") return new LineWriter(stdout, false);
    let fd: number;
    try {
      fd = openSync(path, append ? "a" : "w");
    } catch (err) {
      throw new SinkError(name, `cannot open for writing: ${(err as Error).message}`, { cause: err });
    }
    return new LineWriter(createWriteStream("", { fd }), true);
  }

  /** The first write error (EPIPE, ENOSPC...), once there was one. */
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

  /** Buffers `text`, which holds `messages` messages (a header holds none). */
  write(text: string, messages = 1): void {
    this.pending.push(text);
    this.pendingChars += text.length;
    this.buffered += messages;
    if (this.pendingChars >= CHUNK_CHARS) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.failure) return;
    const n = this.buffered;
    this.inFlight += n;
    this.out.write(this.pending.join(""), (err) => {
      this.inFlight -= n;
      if (!err) this.confirmed += n;
    });
    this.pending = [];
    this.pendingChars = 0;
    this.buffered = 0;
  }

  /**
   * Closes for the sink `name` that handed over `messages`: resolves when all were written, else
   * rejects with a {@link SinkError} (`failed` says what failed) carrying how many were.
   */
  async finish(name: string, messages: number, failed = "write failed"): Promise<SinkResult> {
    try {
      await this.close();
    } catch (err) {
      const result = { delivered: this.confirmed, dropped: messages - this.confirmed };
      throw new SinkError(name, `${failed}: ${(err as Error).message}`, { cause: err, result });
    }
    return { delivered: messages, dropped: 0 };
  }

  /** Writes what is buffered and waits until the stream has taken it (and closed the file, if ours). */
  private async close(): Promise<void> {
    this.flush();
    if (this.failure) throw this.failure;
    if (this.owned) {
      const closed = once(this.out, "close"); // rejects if the stream errors first
      this.out.end();
      await closed;
    } else {
      await new Promise<void>((resolve, reject) => this.out.write("", (err) => (err ? reject(err) : resolve())));
    }
    if (this.failure) throw this.failure;
  }
}
