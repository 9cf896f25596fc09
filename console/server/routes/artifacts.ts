import { extname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from '../context.js';
import { openArtifact } from '../artifact-reader.js';

const TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.csv': 'text/csv; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.yaml': 'text/plain; charset=utf-8',
};

/**
 * `/api/artifacts/<sha256>?name=report.json[&download=1]`: one content-addressed artifact,
 * streamed from MinIO. The name only picks the content type and the download's file name.
 */
export function artifactRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get<{ Params: { sha: string }; Querystring: { name?: string; download?: string } }>(
    '/api/artifacts/:sha',
    async (req, reply) => {
      const name = (req.query.name ?? req.params.sha).replace(/[^\w.\-[\]]/g, '_');
      const { size, stream } = await openArtifact(ctx, req.params.sha);
      const type = TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
      // Content-addressed: the bytes behind a hash never change.
      reply
        .header('content-type', type)
        .header('content-length', size)
        .header('cache-control', 'private, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        // A step's output is not the console's code: opened directly, it runs nothing (an SVG's script, say).
        .header('content-security-policy', "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'");
      if (req.query.download) reply.header('content-disposition', `attachment; filename="${name}"`);
      return reply.send(stream);
    },
  );
}
