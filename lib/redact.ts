/**
 * Hides secrets in text that is about to be printed (errors that echo a flag value or a config
 * value, the process title): user-info in URLs (`nats://user:pass@host` → `nats://***@host`) and the
 * values of the secret config keys `pass`, `password`, `token` and `creds` written in YAML flow or
 * JSON (`{pass: x}`, `"token": "x"`). `creds` is often a file name; it is hidden anyway, since the
 * same key also takes `user:password`.
 */

/** A scheme starts only where a word starts (the lookbehind), so a long word is not rescanned from each of its letters. */
const URL_USERINFO = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi;
/** A secret key, then its value: a quoted string or a plain scalar up to `,` `}` `]` or a line end. */
const SECRET_VALUE = /((?:^|[{,\s])["']?(?:pass|password|token|creds)["']?\s*:\s*)("(?:[^"\\]|\\.)*"?|'(?:[^']|'')*'?|[^,}\]\n]*)/gi;

/** The secret config keys, for code that walks parsed values rather than text. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(["pass", "password", "token", "creds"]);

/** `nats://user:pass@host` → `nats://***@host`, for every URL in the text. */
export function hideUserInfo(text: string): string {
  return text.replace(URL_USERINFO, "$1***@");
}

export function redact(text: string): string {
  return hideUserInfo(text).replace(SECRET_VALUE, (_m, key: string, value: string) => (value.trim() === "" ? key + value : `${key}***`));
}

/** Hides URL user-info and each of the given secret texts (the credentials a connection uses). */
export function hideSecrets(text: string, secrets: readonly string[]): string {
  let out = hideUserInfo(text);
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join("***");
  return out;
}
