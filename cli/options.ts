/** Commander option helpers. Command definitions import only this and commander, so `--help` loads nothing else. */

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
