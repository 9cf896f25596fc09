import { z } from 'zod';
import { oneOf } from './zod-messages.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `90`, `"90s"`, `"15m"`, `"2h"`, `"1d"` (a bare number is seconds) into milliseconds. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return value >= 0 ? value * 1000 : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * UNITS[m[2] ?? 's']!;
}

const DURATIONS = 'a duration is a number of seconds (90) or a string with a unit: "90s", "15m", "2h", "1d"';

/** A duration field: accepts seconds or a string with a unit; yields milliseconds. */
export const DurationSchema = oneOf(DURATIONS, [z.number(), z.string()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration; ${DURATIONS}` });
    return z.NEVER;
  }
  return ms;
});
