/** Small text helpers for messages a person reads. */

/** Cuts text for messages: at most `max` characters, with an ellipsis when cut. */
export function shorten(text: string, max = 120): string {
  return text.length <= max ? text : text.slice(0, max - 1) + "…";
}

/**
 * The name nearest to `name` among `names`, if one is close enough to be a typo: within edit
 * distance 2 (1 for names of one or two characters), ignoring case.
 */
export function closest(name: string, names: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = name.length <= 2 ? 2 : 3;
  for (const candidate of names) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** A value as an error quotes it: as is when plain, else in single quotes (as a shell would need it). */
export function quoted(text: string): string {
  return /^[\w.:/@,+-]+$/.test(text) ? text : `'${text}'`;
}
