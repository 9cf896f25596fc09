/**
 * Keyboard labels: each label of the session's label set gets one key. Digits and letters that
 * are labels themselves label as themselves ("3" labels 3, "b" labels b); other label sets get
 * 1-9, 0, then a-z in label-set order. A labeler may change any key (the screen saves it per
 * session name in the browser). Enter, Backspace, the arrows, Space and ? are the screen's own.
 */
export type KeyMap = Record<string, string>;

const ORDER = [...'1234567890abcdefghijklmnopqrstuvwxyz'];
/** Keys the labeling screen uses itself, never for a label. */
export const RESERVED_KEYS = ['?', ' '];

const normal = (key: string) => key.toLowerCase();

export function defaultKeyMap(labelSet: readonly string[]): KeyMap {
  const own = labelSet.every((l) => l.length === 1 && /^[0-9a-z]$/i.test(l));
  if (own && new Set(labelSet.map(normal)).size === labelSet.length)
    return Object.fromEntries(labelSet.map((l) => [normal(l), l]));
  return Object.fromEntries(labelSet.slice(0, ORDER.length).map((l, i) => [ORDER[i]!, l]));
}

/** The label a key press gives, if any. */
export function labelForKey(map: KeyMap, key: string): string | undefined {
  return key.length === 1 ? map[normal(key)] : undefined;
}

/** The key of a label (for the hints on the buttons). */
export function keyForLabel(map: KeyMap, label: string): string | undefined {
  return Object.entries(map).find(([, l]) => l === label)?.[0];
}

/** What is wrong with a map: keys that are not one character, reserved, or labels not in the set. */
export function keyMapProblems(map: KeyMap, labelSet: readonly string[]): string[] {
  const problems: string[] = [];
  for (const [key, label] of Object.entries(map)) {
    if (key.length !== 1) problems.push(`"${key}" is not one key`);
    else if (RESERVED_KEYS.includes(key)) problems.push(`"${key}" is the screen's own key`);
    if (!labelSet.includes(label)) problems.push(`"${label}" is not in the label set`);
  }
  return problems;
}

/** A map with one label's key changed: the key moves to that label (no key gives two labels). */
export function withKey(map: KeyMap, label: string, key: string): KeyMap {
  const next = Object.fromEntries(Object.entries(map).filter(([k, l]) => l !== label && k !== normal(key)));
  if (key) next[normal(key)] = label;
  return next;
}
