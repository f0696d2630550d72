/**
 * The two payload formats on the CMS subjects (REFERENCE.md §1), read into attributes and written back.
 *
 * - `cms`: `key:value` pairs joined by a separator (three spaces by default). The key is the text
 *   before the first `:` (non-empty, no white space); the value is everything after it, `:` included.
 *   A line end closing the payload (`\n`, `\r\n`) is not part of the last value. A key that repeats
 *   keeps its first value, as the Go nats-sub's `-statsBy` reads it.
 * - `json`: one object; nested objects flatten to dotted keys, every value is kept as its text.
 */
import { type Attrs, newAttrs } from "../lib/message.ts";
import { shorten } from "../lib/text.ts";

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

/** Whether text[from, to) has white space (what /\s/ matches), without making a string of it. */
function hasSpace(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13) || (c >= 0x80 && WHITESPACE.test(text[i]))) return true;
  }
  return false;
}

type KeyName = (key: string) => string;

/** Every key:value pair of a payload in its order, kept only for a payload whose keys repeat. */
export type Pairs = readonly (readonly [string, string])[];

/** Reads payloads of one stream. */
export interface PayloadDecoder {
  /**
   * The attributes of a payload; throws {@link PayloadError} when it is not valid in its format.
   * With `only`, just those attributes are kept (the payload is still checked whole).
   */
  decode(data: string, only?: ReadonlySet<string>): Attrs;
  /** After `decode` of a cms payload whose keys repeat: all its pairs in order (Go prints each); else undefined. */
  repeated: Pairs | undefined;
}

/**
 * A decoder for one stream. It keeps the key names it has converted (payloads repeat the same few
 * keys), which makes JSON decoding about twice as fast; the cache is bounded and belongs to this
 * decoder only.
 */
export function payloadDecoder(opts: DecodeOptions = {}): PayloadDecoder {
  const format = opts.format ?? "auto";
  const sep = opts.sep ?? DEFAULT_SEP;
  if (sep === "") throw new PayloadError("the cms separator must not be empty"); // indexOf("") would never advance
  const keys = opts.keys ?? "camel";
  const name = keys === "camel" ? camelKeys() : (key: string) => key;
  // the matcher of the last `only` given: a stream passes the same set every time, and none for the
  // payloads it reads whole (a replay's first ones, for their names), which leave the matcher as it
  // is: made again at each switch, it was a new call target, and V8 threw away the reading thread's
  // optimized decodeCms each time (--trace-deopt: "wrong call target")
  let lastOnly: ReadonlySet<string> | undefined;
  let wanted: KeyMatcher | undefined;
  const decoder: PayloadDecoder = {
    repeated: undefined,
    decode(data, only) {
      decoder.repeated = undefined;
      if (format === "json" || (format === "auto" && data.charCodeAt(0) === 0x7b) /* { */) return decodeJson(data, name, only);
      if (only !== undefined && only !== lastOnly) {
        lastOnly = only;
        wanted = keyMatcher(only, keys, name);
      }
      return decodeCms(data, sep, name, decoder, only && wanted);
    },
  };
  return decoder;
}

/** Which attribute the key text[from, to) names, if it is one wanted; undefined if not. */
type KeyMatcher = (text: string, from: number, to: number) => string | undefined;

/** Beyond this many attributes, a key is sliced out and looked up instead of compared in place. */
const MATCH_IN_PLACE = 8;

/**
 * The {@link KeyMatcher} of the wanted attributes `only`. For a few, it compares each key in place
 * with the spellings naming them (`site` and `Site` with camel keys), so the keys not wanted, most of
 * them, are never copied out of the payload (a cms payload of the bench with one attribute wanted:
 * 0.95 µs → 0.65 µs); for more, it names the key and looks it up.
 */
function keyMatcher(only: ReadonlySet<string>, keys: "camel" | "keep", name: KeyName): KeyMatcher {
  if (only.size > MATCH_IN_PLACE) {
    return (text, from, to) => {
      const attr = name(text.slice(from, to));
      return only.has(attr) ? attr : undefined;
    };
  }
  const spellings: string[] = [];
  const attrs: string[] = [];
  for (const attr of only) {
    const c = attr.charCodeAt(0);
    if (keys === "keep" || !isCapital(c)) spellings.push(attr), attrs.push(attr); // camel never yields a capital first letter
    if (keys === "camel" && isCapital(c - 32)) spellings.push(String.fromCharCode(c - 32) + attr.slice(1)), attrs.push(attr); // the key camel lower-cases to attr
  }
  return (text, from, to) => {
    for (let i = 0; i < spellings.length; i++) if (spellings[i].length === to - from && text.startsWith(spellings[i], from)) return attrs[i];
    return undefined;
  };
}

/** Decodes one payload; for a stream, {@link payloadDecoder} is faster. */
export function decodePayload(data: string, opts: DecodeOptions = {}): Attrs {
  return payloadDecoder(opts).decode(data);
}

/** The name a key written by a user or a producer has as an attribute (`keys: camel`: `ExitCode`, `Meta.Host` → `exitCode`, `meta.host`). */
export function attributeName(key: string, keys: DecodeOptions["keys"] = "camel"): string {
  if (keys === "keep") return key;
  const camel = camelKeys();
  return key.includes(".") ? key.split(".").map(camel).join(".") : camel(key);
}

function decodeCms(data: string, sep: string, name: KeyName, out: PayloadDecoder, wanted: KeyMatcher | undefined): Attrs {
  const attrs = newAttrs();
  let end = data.length;
  if (data.charCodeAt(end - 1) === 0x0a /* \n */) end -= data.charCodeAt(end - 2) === 0x0d /* \r */ ? 2 : 1;
  let pairs = 0;
  let all: [string, string][] | undefined;
  // an indexOf scan: split() would allocate an array and a string per pair on the hot path
  for (let i = 0; i < end; ) {
    let next = data.indexOf(sep, i);
    if (next < 0 || next > end) next = end;
    if (next > i) {
      const colon = data.indexOf(":", i);
      if (colon < 0 || colon >= next) throw new PayloadError(`"${shorten(data.slice(i, next), 40)}" is not a key:value pair`);
      if (colon === i || hasSpace(data, i, colon)) throw new PayloadError(`bad key "${shorten(data.slice(i, colon), 40)}" (keys are non-empty, without white space)`);
      const attr = wanted ? wanted(data, i, colon) : name(data.slice(i, colon));
      pairs++;
      i = next + sep.length;
      if (attr === undefined) continue;
      const value = data.slice(colon + 1, next);
      if (attrs[attr] === undefined) {
        attrs[attr] = value;
        all?.push([attr, value]);
      } else {
        all ??= Object.entries(attrs).map(([k, v]) => [k, String(v)]);
        all.push([attr, value]);
      }
      continue;
    }
    i = next + sep.length;
  }
  if (pairs === 0) throw new PayloadError("empty payload");
  out.repeated = all;
  return attrs;
}

function decodeJson(data: string, name: KeyName, only: ReadonlySet<string> | undefined): Attrs {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (err) {
    throw new PayloadError(`invalid JSON: ${(err as Error).message}`);
  }
  if (!isObject(value)) throw new PayloadError("JSON payload is not an object");
  const attrs = newAttrs();
  flatten(value, "", 0, attrs, name, only);
  return attrs;
}

function flatten(obj: Record<string, unknown>, prefix: string, depth: number, out: Attrs, name: KeyName, only: ReadonlySet<string> | undefined): void {
  if (depth >= MAX_JSON_DEPTH) throw new PayloadError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  // for...in rather than Object.keys: no array per object (bench/payload.ts, JSON with one attribute
  // wanted: 300 → 175 ns above JSON.parse alone); an object from JSON.parse inherits no enumerable key
  for (const k in obj) {
    const v = obj[k];
    const key = prefix + name(k);
    if (isObject(v)) flatten(v, key + ".", depth + 1, out, name, only);
    else if (only && !only.has(key)) {
      if (Array.isArray(v) && nestedDeeper(v, MAX_JSON_DEPTH - depth - 1)) throw new PayloadError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    } else out[key] = typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : v === null ? "" : arrayText(v, depth + 1);
  }
}

/** An array kept as its JSON text; checked for depth first, since JSON.stringify would overflow the stack. */
function arrayText(v: unknown, depth: number): string {
  if (nestedDeeper(v, MAX_JSON_DEPTH - depth)) throw new PayloadError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  return JSON.stringify(v);
}

/** Whether arrays/objects nest more than `left` levels below `v` (recursion bounded by `left`). */
function nestedDeeper(v: unknown, left: number): boolean {
  if (typeof v !== "object" || v === null) return false;
  if (left <= 0) return true;
  for (const child of Array.isArray(v) ? v : Object.values(v)) if (nestedDeeper(child, left - 1)) return true;
  return false;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const KEY_CACHE_SIZE = 10_000;

/** Whether a character code is of a capital A to Z: the first letter camel keys lower-case. */
const isCapital = (c: number) => c >= 65 && c <= 90;

/** Lower-cases the first letter of a key, remembering the answers (bounded). */
function camelKeys(): KeyName {
  const cache = new Map<string, string>();
  return (key) => {
    const c = key.charCodeAt(0); // NaN for "": the test must fail for it, or "" would become "\0"
    if (!isCapital(c)) return key;
    let camel = cache.get(key);
    if (camel === undefined) {
      camel = String.fromCharCode(c + 32) + key.slice(1);
      if (cache.size < KEY_CACHE_SIZE) cache.set(key, camel);
    }
    return camel;
  };
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
