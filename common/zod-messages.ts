import { z } from 'zod';

/**
 * zod's messages in a spec author's terms. zod's own defaults speak of its types ("Invalid input",
 * "expected record, received null", "Unrecognized key"); a person writing YAML thinks in lists,
 * mappings and fields. `userErrors` is passed to every parse of a spec or a submission (zod's
 * global config cannot be set here: the shared workflow modules are frozen), and `oneOf` builds a
 * union that says what it accepts, since a failed union has nothing to say on its own.
 */

type RawIssue = z.core.$ZodRawIssue;

const MAX_SHOWN = 40;

/** How a value reads in a message: `the number 42`, `a list of 2 items`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value (null)';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length} item(s)`;
  if (typeof value === 'string') {
    const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
    return value === '' ? 'an empty string' : `the string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number') return `the number ${String(value)}`;
  if (typeof value === 'boolean') return `the value ${String(value)}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty mapping' : `a mapping with ${quoted(keys.slice(0, 6))}`;
  }
  return `a ${typeof value}`;
}

const NOUNS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (field: value)',
  record: 'a mapping (name: value)',
};

const quoted = (xs: readonly unknown[]) => xs.map((x) => JSON.stringify(x)).join(', ');

/** The fields an object schema declares, when the issue came from one. */
function declaredFields(iss: RawIssue): string[] {
  const def = (iss.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def;
  return def?.shape ? Object.keys(def.shape) : [];
}

/** The per-parse error map: pass as `schema.safeParse(raw, { error: userErrors })`. */
export function userErrors(iss: RawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return `required, but missing (give ${NOUNS[iss.expected] ?? iss.expected})`;
      return `expected ${NOUNS[iss.expected] ?? iss.expected}, got ${describeValue(iss.input)}`;
    case 'unrecognized_keys': {
      const fields = declaredFields(iss);
      return `unknown field${iss.keys.length === 1 ? '' : 's'} ${quoted(iss.keys)}${fields.length ? ` (the fields here are ${fields.join(', ')})` : ''}`;
    }
    case 'invalid_value':
      return `expected ${iss.values.length === 1 ? '' : 'one of '}${quoted(iss.values)}, got ${describeValue(iss.input)}`;
    case 'invalid_key':
      return `${JSON.stringify(iss.input)} is not a valid name: ${iss.issues.map((i) => i.message).join('; ')}`;
    case 'too_small':
      if (iss.origin === 'string' && Number(iss.minimum) === 1) return 'may not be empty';
      if (iss.origin === 'array')
        return `needs at least ${String(iss.minimum)} item(s), got ${describeValue(iss.input)}`;
      if (iss.origin === 'number')
        return `must be ${iss.inclusive ? 'at least' : 'more than'} ${String(iss.minimum)}, got ${String(iss.input)}`;
      return undefined;
    case 'too_big':
      if (iss.origin === 'array')
        return `takes at most ${String(iss.maximum)} item(s), got ${describeValue(iss.input)}`;
      if (iss.origin === 'string') return `takes at most ${String(iss.maximum)} characters`;
      if (iss.origin === 'number')
        return `must be ${iss.inclusive ? 'at most' : 'less than'} ${String(iss.maximum)}, got ${String(iss.input)}`;
      return undefined;
    default:
      return undefined;
  }
}

/**
 * Why no option of a union took the value: what the field accepts and what it got, and, when the
 * value has the fields of exactly one option (`{ path: 3 }`), that option's own complaint.
 */
function unionMessage(accepted: string, iss: RawIssue): string {
  const got = `${accepted}; got ${describeValue(iss.input)}`;
  if (iss.code !== 'invalid_union' || !iss.input || typeof iss.input !== 'object' || Array.isArray(iss.input))
    return got;
  const shapeFits = iss.errors.filter((issues) =>
    issues.every((i) => i.path.length > 0 && i.code !== 'unrecognized_keys'),
  );
  if (shapeFits.length !== 1) return got;
  return `${got}: ${shapeFits[0]!.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
}

/** A union that, when nothing matches, says what it accepts (`accepted`) and what it got. */
export function oneOf<const T extends readonly [z.core.SomeType, ...z.core.SomeType[]]>(accepted: string, options: T) {
  return z.union(options, { error: (iss) => unionMessage(accepted, iss) });
}

/** A discriminated union (`kind: ...`) that, when no kind matches, says which kinds there are. */
export function oneKindOf<const T extends readonly [z.core.$ZodTypeDiscriminable, ...z.core.$ZodTypeDiscriminable[]]>(
  discriminator: string,
  accepted: string,
  options: T,
) {
  return z.discriminatedUnion(discriminator, options, {
    error: (iss) => {
      if (iss.code !== 'invalid_union' && iss.code !== 'invalid_type') return undefined;
      const input = iss.input as Record<string, unknown> | undefined;
      const isMapping = input !== null && typeof input === 'object' && !Array.isArray(input);
      return isMapping
        ? `${accepted}; got ${discriminator}: ${describeValue(input[discriminator])}`
        : `${accepted}; got ${describeValue(input)}`;
    },
  });
}

/** A problem of a parse, as `<path>: <message>` (`what` names the whole value when the path is empty). */
export function issueLine(issue: z.core.$ZodIssue, what: string): string {
  const path = issue.path.map((k) => (k === '' ? '""' : String(k))).join('.');
  return `${path || what}: ${issue.message}`;
}

/**
 * Why a whole document is not a mapping, or undefined when it is: an empty file parses to null,
 * a stray word to a string, a list of steps to a list. `needs` says what the mapping holds.
 */
export function notAMapping(raw: unknown, what: string, needs: string): string | undefined {
  if (raw === undefined || raw === null) return `the ${what} is empty; ${needs}`;
  if (typeof raw !== 'object' || Array.isArray(raw))
    return `a ${what} is a mapping of fields (${needs}), but this one is ${describeValue(raw)}`;
  return undefined;
}
