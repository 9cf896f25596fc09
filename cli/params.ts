import { parse } from 'yaml';

/** `--param k=v` values: v is read as YAML, so numbers, booleans and lists keep their type. */
export function parseParams(pairs: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new TypeError(`--param "${pair}" is not key=value; write e.g. --param n_estimators=200`);
    const raw = pair.slice(eq + 1);
    let value: unknown;
    try {
      value = parse(raw);
    } catch {
      value = raw;
    }
    params[pair.slice(0, eq)] = value ?? raw;
  }
  return params;
}
