import { once } from "node:events";
import { createWriteStream, openSync } from "node:fs";
import type { Writable } from "node:stream";

/** Text is handed to the stream in chunks of about this size: one write per line costs far more. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Buffers text for a file or stdout and writes it in chunks, at the latest on the next turn of the
 * event loop, so output appears promptly and whole lines only are ever written (an interrupted
 * file stays valid). The first write error is kept and reported by `close`.
 */
export class LineWriter {
  private pending: string[] = [];
  private pendingChars = 0;
  private scheduled = false;
  private failure: Error | undefined;

  private constructor(
    private readonly out: Writable,
    private readonly owned: boolean,
  ) {
    out.on("error", (err) => (this.failure ??= err));
  }

  /**
   * `-` means the given stdout (left open on close); anything else is a file, truncated or appended.
   * The file is opened at once, so a path that cannot be written fails here, before any data flows.
   */
  static open(path: string, stdout: Writable, append = false): LineWriter {
    if (path === "-") return new LineWriter(stdout, false);
    return new LineWriter(createWriteStream("", { fd: openSync(path, append ? "a" : "w") }), true);
  }

  get error(): Error | undefined {
    return this.failure;
  }

  write(text: string): void {
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= CHUNK_CHARS) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.failure) return;
    this.out.write(this.pending.join(""));
    this.pending = [];
    this.pendingChars = 0;
  }

  /** Writes what is buffered and waits until the stream has taken it (and closed the file, if ours). */
  async close(): Promise<void> {
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
