/**
 * `${params.name}` and `${<as>}` (a map item) in step params, args and env. A string that is
 * only a reference takes the referenced value's type; inside a longer string it is stringified.
 */
const REF = /\$\{([A-Za-z_][\w.-]*)\}/g;

export type Vars = Record<string, unknown>;

function lookup(path: string, vars: Vars): unknown {
  let cur: unknown = vars;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !(part in (cur as Record<string, unknown>))) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** References in `value` that `vars` cannot resolve. */
export function unresolvedRefs(value: unknown, vars: Vars): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(REF)) if (lookup(m[1]!, vars) === undefined) out.push(m[1]!);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}

export function interpolate<T>(value: T, vars: Vars): T {
  if (typeof value === 'string') {
    const whole = /^\$\{([A-Za-z_][\w.-]*)\}$/.exec(value);
    if (whole) {
      const v = lookup(whole[1]!, vars);
      return (v === undefined ? value : v) as T;
    }
    return value.replace(REF, (m, path: string) => {
      const v = lookup(path, vars);
      return v === undefined ? m : typeof v === 'string' ? v : JSON.stringify(v);
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, vars)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, vars)])) as T;
  return value;
}
