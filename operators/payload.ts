/**
 * The two payload formats on the CMS subjects (REFERENCE.md §1), read into attributes and written back.
 *
 * - `cms`: `key:value` pairs joined by a separator (three spaces by default). The key is the text
 *   before the first `:` (non-empty, no white space); the value is everything after it, `:` included.
 * - `json`: one object; nested objects flatten to dotted keys, every value is kept as its text.
 */
import { type Attrs, newAttrs } from "./message.ts";

export type PayloadFormat = "cms" | "json" | "auto";

/** Separator used by the CMS producers. */
export const DEFAULT_SEP = "   ";
/** Nesting deeper than this in a JSON payload is rejected rather than flattened. */
export const MAX_JSON_DEPTH = 32;

export interface DecodeOptions {
  /** @default "auto": JSON when the payload starts with `{`, else cms */
  format?: PayloadFormat;
  /** cms pair separator. @default three spaces */
  sep?: string;
  /**
   * How to name keys. `camel` lower-cases the first letter of every key (and of every dotted part),
   * so the JSON publisher's `ExitCode`/`Site` and the cms producer's `exitCode`/`site` are one name.
   * @default "camel"
   */
  keys?: "camel" | "keep";
}

/** A payload that is not valid in its format. */
export class PayloadError extends Error {
  override name = "PayloadError";
}

const WHITESPACE = /\s/;

export function decodePayload(data: string, opts: DecodeOptions = {}): Attrs {
  const format = opts.format ?? "auto";
  const camel = (opts.keys ?? "camel") === "camel";
  if (format === "json" || (format === "auto" && data.charCodeAt(0) === 0x7b /* { */)) return decodeJson(data, camel);
  return decodeCms(data, opts.sep ?? DEFAULT_SEP, camel);
}

function decodeCms(data: string, sep: string, camel: boolean): Attrs {
  if (data.trim() === "") throw new PayloadError("empty payload");
  const attrs = newAttrs();
  for (const pair of data.split(sep)) {
    if (pair === "") continue; // a doubled or trailing separator
    const colon = pair.indexOf(":");
    if (colon < 0) throw new PayloadError(`"${shorten(pair, 40)}" is not a key:value pair`);
    const key = pair.slice(0, colon);
    if (key === "" || WHITESPACE.test(key)) throw new PayloadError(`bad key "${shorten(key, 40)}" (keys are non-empty, without white space)`);
    attrs[camel ? camelKey(key) : key] = pair.slice(colon + 1);
  }
  return attrs;
}

function decodeJson(data: string, camel: boolean): Attrs {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (err) {
    throw new PayloadError(`invalid JSON: ${(err as Error).message}`);
  }
  if (!isObject(value)) throw new PayloadError("JSON payload is not an object");
  const attrs = newAttrs();
  flatten(value, "", 0, attrs, camel);
  return attrs;
}

function flatten(obj: Record<string, unknown>, prefix: string, depth: number, out: Attrs, camel: boolean): void {
  if (depth >= MAX_JSON_DEPTH) throw new PayloadError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    const key = prefix + (camel ? camelKey(k) : k);
    if (isObject(v)) flatten(v, key + ".", depth + 1, out, camel);
    else out[key] = typeof v === "string" ? v : v === null ? "" : JSON.stringify(v);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function camelKey(key: string): string {
  const c = key.charCodeAt(0);
  return c >= 65 && c <= 90 ? String.fromCharCode(c + 32) + key.slice(1) : key;
}

/** Writes attributes as a cms payload (keys sorted, as the CMS producers do). */
export function encodeCms(attrs: Attrs, sep: string = DEFAULT_SEP): string {
  return Object.keys(attrs)
    .sort()
    .map((k) => `${k}:${attrs[k]}`)
    .join(sep);
}

/** Writes attributes as a flat JSON object, in their order. */
export function encodeJson(attrs: Attrs): string {
  return JSON.stringify({ ...attrs });
}

/** Cuts text for messages: at most `max` characters, with an ellipsis when cut. */
export function shorten(text: string, max = 120): string {
  return text.length <= max ? text : text.slice(0, max - 1) + "…";
}
