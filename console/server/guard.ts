import type { FastifyInstance } from 'fastify';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * The console acts on Temporal with the worker's credentials, so it answers only requests meant
 * for it: the Host header must name the console (loopback, its bind address or its configured
 * URL), which stops DNS rebinding, and a request that changes something (labels) must come from
 * the console's own pages (its Origin, when the browser sends one, is the console's), which stops
 * another site's page from posting labels in a labeler's name.
 */
export function guardRequests(app: FastifyInstance, console: { address: string; url: string }): void {
  const hosts = new Set([...LOOPBACK, console.address.split(':')[0]!, new URL(console.url).hostname]);
  app.addHook('onRequest', async (req, reply) => {
    const host = req.hostname.replace(/:\d+$/, '');
    if (!hosts.has(host))
      return reply.status(421).send({ error: `this console answers for ${[...hosts].join(', ')}, not ${host}` });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const origin = req.headers.origin;
      if (origin && !hosts.has(new URL(origin).hostname))
        return reply.status(403).send({ error: `requests that change something come from the console's own pages` });
    }
  });
}
