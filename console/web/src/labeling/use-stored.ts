import { useCallback, useEffect, useRef, useState } from 'react';

function read<T>(key: string, initial: () => T): T {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? initial() : (JSON.parse(raw) as T);
  } catch {
    return initial();
  }
}

/**
 * State kept in the browser's storage under `key`, so that a labeler's name, key map and unsent
 * draft survive a reload; when `key` changes, that key's value is read.
 */
export function useStored<T>(key: string, initial: () => T): [T, (v: T | ((prev: T) => T)) => void] {
  const first = useRef(initial);
  const [state, setState] = useState<{ key: string; value: T }>(() => ({ key, value: read(key, initial) }));
  useEffect(() => {
    if (state.key !== key) setState({ key, value: read(key, first.current) });
  }, [key, state.key]);
  const set = useCallback(
    (v: T | ((prev: T) => T)) =>
      setState((s) => {
        const prev = s.key === key ? s.value : read(key, first.current);
        const next = typeof v === 'function' ? (v as (p: T) => T)(prev) : v;
        if (Object.is(next, prev) && s.key === key) return s;
        localStorage.setItem(key, JSON.stringify(next));
        return { key, value: next };
      }),
    [key],
  );
  return [state.key === key ? state.value : read(key, first.current), set];
}
