import { StringDecoder } from "node:string_decoder";
import type { Readable } from "node:stream";

/**
 * Yields the lines of a stream in batches (one array per chunk read), without line ends (`\n` or
 * `\r\n`); a last line without a newline is yielded too. Batching keeps the per-line cost at a split,
 * which is what lets replay run at several hundred thousand lines a second.
 */
export async function* lineBatches(input: Readable): AsyncGenerator<string[]> {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  for await (const chunk of input) {
    const text = rest + (typeof chunk === "string" ? chunk : decoder.write(chunk));
    const lines = text.split("\n");
    rest = lines.pop()!;
    if (lines.length > 0) yield lines.map(stripCr);
  }
  rest += decoder.end();
  if (rest !== "") yield [stripCr(rest)];
}

function stripCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
