/**
 * Descriptions of attribute values, from a `code: description` list: the format of the public CMS
 * exit-code lists (e.g. https://raw.githubusercontent.com/vkuznet/CMSExitCodes/master/codes/JobExit.txt),
 * `#` lines and blank lines left out. A file or an http(s) URL.
 */
import { readFileSync } from "node:fs";

/** How long a list given as a URL may take to arrive before the view goes on without it. */
export const FETCH_TIMEOUT_MS = 10_000;

/** `8028: FileOpenError with fallback` lines as a map; the description is everything after the first colon. */
export function parseDescriptions(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const code = line.slice(0, colon).trim();
    if (code !== "" && !out.has(code)) out.set(code, line.slice(colon + 1).trim());
  }
  return out;
}

/** Reads a list from a file or a URL; throws an Error that says which and why. */
export async function loadDescriptions(source: string): Promise<Map<string, string>> {
  if (!/^https?:\/\//i.test(source)) return parseDescriptions(readFileSync(source, "utf8"));
  const res = await fetch(source, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
  return parseDescriptions(await res.text());
}
