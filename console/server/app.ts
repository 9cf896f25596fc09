import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ConsoleInfo } from '../../common/console-api.js';
import type { ConsoleContext } from './context.js';
import { guardRequests } from './guard.js';
import { artifactRoutes } from './routes/artifacts.js';
import { checkRoutes } from './routes/checks.js';
import { labelingRoutes } from './routes/labeling.js';
import { metricsRoutes } from './routes/metrics.js';
import { servingRoutes } from './routes/serving.js';
import { pipelineRoutes } from './routes/pipelines.js';

/** Where `npm run setup` builds the front end (console/web, by Vite). */
export const WEB_DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/**
 * The console's HTTP app: the JSON API under /api (Temporal, MinIO and MLflow read and acted on
 * with the worker-side config) and the built front end for every other path.
 */
export async function buildConsoleApp(
  ctx: ConsoleContext,
  opts: { logger?: FastifyServerOptions['logger']; webDist?: string } = {},
): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false });
  guardRequests(app, ctx.config.console);
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const temporalDown = /Cannot reach Temporal|UNAVAILABLE|ECONNREFUSED/.test(err.message);
    const status = err.statusCode ?? (temporalDown ? 503 : 500);
    if (status >= 500) req.log.error({ err }, 'console request failed');
    return reply.status(status).send({ error: err.message });
  });

  app.get('/api/info', async (): Promise<ConsoleInfo> => ({
    namespace: ctx.config.temporal.namespace,
    temporalUiUrl: ctx.config.temporal.uiUrl,
    mlflowUrl: ctx.config.mlflow.trackingUri,
    minioConsoleUrl: ctx.config.minio.consoleUrl,
    prometheusUrl: ctx.config.prometheus.url,
    serving: true,
  }));
  pipelineRoutes(app, ctx);
  labelingRoutes(app, ctx);
  checkRoutes(app, ctx);
  metricsRoutes(app, ctx);
  artifactRoutes(app, ctx);
  servingRoutes(app, ctx);

  const dist = opts.webDist ?? WEB_DIST;
  const built = existsSync(`${dist}/index.html`);
  if (built) await app.register(fastifyStatic, { root: dist, wildcard: false, index: false });
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/'))
      return reply.status(404).send({ error: `no such API: ${req.method} ${req.url.split('?')[0]}` });
    if (!built)
      return reply
        .status(503)
        .type('text/plain')
        .send(`The console's front end is not built. Run \`npm run setup\` (it builds console/web into ${dist}).`);
    // Every page of the single-page app is index.html; the browser's router picks the page.
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
  return app;
}
