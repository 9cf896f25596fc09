import { useQuery, type UseQueryOptions } from '@tanstack/react-query';

/** Thrown when the console's server answers with an error; the message is the server's. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function parse<T>(res: Response): Promise<T> {
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) throw new ApiError(res.status, (body as { error?: string } | undefined)?.error ?? res.statusText);
  return body as T;
}

export async function getJson<T>(path: string): Promise<T> {
  return parse<T>(await fetch(path, { headers: { accept: 'application/json' } }));
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return parse<T>(
    await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    }),
  );
}

/** A GET of the console's API as a query, polled every `pollMs` when given. */
export function useApi<T>(
  path: string | undefined,
  opts: { pollMs?: number | false | ((data: T | undefined) => number | false) } & Partial<
    Pick<UseQueryOptions<T>, 'enabled'>
  > = {},
) {
  const { pollMs } = opts;
  return useQuery<T>({
    queryKey: [path],
    queryFn: () => getJson<T>(path!),
    enabled: path !== undefined && (opts.enabled ?? true),
    refetchInterval: typeof pollMs === 'function' ? (q) => pollMs(q.state.data as T | undefined) : (pollMs ?? false),
    retry: (n, err) => !(err instanceof ApiError && err.status < 500) && n < 2,
  });
}

/** `/api/...?a=1&b=2`, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => !!e[1]));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export const enc = encodeURIComponent;
