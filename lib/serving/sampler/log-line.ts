/**
 * One request as HAProxy logs it for the sampler (see LOG_FORMAT in ../proxy/haproxy-config.ts):
 * `<server> <status> <Tr ms> <Ta ms> <method> <path> <request body, base64 or -> <response body, base64 or ->`.
 */
export interface LoggedRequest {
  /** The server (version) that answered, `<NOSRV>` when none could. */
  server: string;
  status: number;
  /** Time the server took to send its response headers (ms); -1 when it never did. */
  serverMs: number;
  /** Whole request, received to answered (ms). */
  totalMs: number;
  method: string;
  path: string;
  request?: Buffer;
  response?: Buffer;
}

const body = (field: string | undefined) => (field && field !== '-' ? Buffer.from(field, 'base64') : undefined);

/** Parses a log line; undefined for a line of another shape (HAProxy's own notices). */
export function parseLogLine(line: string): LoggedRequest | undefined {
  const f = line.trim().split(' ');
  if (f.length < 6) return undefined;
  const status = Number(f[1]);
  const serverMs = Number(f[2]);
  const totalMs = Number(f[3]);
  if (!Number.isFinite(status) || !Number.isFinite(serverMs) || !Number.isFinite(totalMs)) return undefined;
  return {
    server: f[0]!,
    status,
    serverMs,
    totalMs,
    method: f[4]!,
    path: f[5]!,
    request: body(f[6]),
    response: body(f[7]),
  };
}
