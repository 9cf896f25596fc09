import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import type { Client } from 'minio';
import type { ArtifactRef } from '../../common/artifact.js';
import type { DeploymentOptions, MetricsSnapshot, ResolvedModel, ServedVersion } from '../../common/serving.js';
import { createMinioClient } from '../../lib/artifacts/minio-client.js';
import { ModelServerStartError } from '../../lib/serving/errors.js';
import { SERVING_IMAGE } from '../../lib/serving/serving-image.js';
import { readServingMetrics } from '../../lib/serving/serving-metrics.js';
import type { TidemarkDeps } from '../deps.js';
import { probeServer, type ProbeReading } from './probe.js';
import { recordDecision, type RecordDecisionInput } from './record-decision.js';
import { resolveModel } from './resolve-model.js';

export interface ServingPortsResult {
  proxy: number;
  stats: number;
  log: number;
  sampler: number;
}

export interface ApplyServingInput {
  deployment: string;
  ports: ServingPortsResult;
  servers: (ServedVersion & { weight: number })[];
  options: Pick<DeploymentOptions, 'sampling' | 'resources'>;
  monitorWorkflowId?: string;
}

/** A filesystem- and container-name-safe slug of a deployment id, with a hash so two ids never share one. */
function slug(id: string): string {
  const s = id
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .slice(0, 40);
  return `${s}-${createHash('sha256').update(id).digest('hex').slice(0, 8)}`;
}

const serverContainer = (deployment: string, version: string) => `tm-serve-${slug(deployment)}-v${version}`;

/** The folder of a deployment's proxy and sampler files under the serving folder. */
export function deploymentDir(servingDir: string, deployment: string): string {
  return join(servingDir, slug(deployment));
}

/**
 * The serving activities: resolve a registry version, start and stop model servers, make the
 * proxy and the sampler match the workflow's state (the one activity through which every routing
 * change and every repair goes), read the gates' metrics, probe a canary, move the alias, and
 * record decisions in MLflow. Each is idempotent: names and ports are derived from the
 * deployment, so a retry after a worker crash finds what the first attempt made.
 */
export function createServingActivities(deps: TidemarkDeps) {
  let minioClient: Client | undefined;
  const minio = () => (minioClient ??= createMinioClient(deps.config.minio));
  const serving = () => deps.serving;
  let image: Promise<string> | undefined;
  const dirOf = (deployment: string) => deploymentDir(serving().dir, deployment);

  function servingImage(): Promise<string> {
    image ??= deps.containers
      .build({ context: SERVING_IMAGE.context, repository: SERVING_IMAGE.repository, network: 'host' }, (line) =>
        deps.logger.debug({ line }, 'serving image build'),
      )
      .then((r) => r.image);
    image.catch(() => (image = undefined));
    return image;
  }

  return {
    async resolveModelVersion(input: { ref: string }): Promise<ResolvedModel> {
      return resolveModel(deps.mlflow, minio(), input.ref);
    },

    async leaseServingPorts(input: { deployment: string }): Promise<ServingPortsResult> {
      const p = serving().ports;
      return {
        proxy: await p.lease(`${input.deployment}/proxy`),
        stats: await p.lease(`${input.deployment}/stats`),
        log: await p.lease(`${input.deployment}/log`),
        sampler: await p.lease(`${input.deployment}/sampler`),
      };
    },

    /** Starts the version's model server (or finds it) and waits until it answers /ping. */
    async startModelServer(input: {
      deployment: string;
      model: ResolvedModel;
      resources: DeploymentOptions['resources'];
    }): Promise<ServedVersion> {
      const ctx = Context.current();
      const name = serverContainer(input.deployment, input.model.version);
      const port = await serving().ports.lease(`${input.deployment}/v${input.model.version}`);
      const spec = {
        name,
        image: await servingImage(),
        source: input.model.source,
        port,
        ...input.resources,
        labels: {
          'tidemark.managed': 'true',
          'tidemark.serving': input.deployment,
          'tidemark.model': input.model.name,
          'tidemark.model-version': input.model.version,
        },
      };
      await serving().backend.start(spec);
      const url = `${serving().backend.address(spec)}/ping`;
      for (let i = 0; ; i++) {
        const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        const state = await serving().backend.state(name);
        if (!state.running) {
          await serving().backend.stop(name);
          throw new ModelServerStartError(
            `the model server of ${input.model.name} v${input.model.version} exited before answering /ping. The end of its log:\n${state.logTail ?? '(empty)'}`,
          );
        }
        ctx.heartbeat({ waiting: i });
        await new Promise((r) => setTimeout(r, 500));
      }
      return { ...input.model, server: name, port };
    },

    async stopModelServer(input: { deployment: string; server: ServedVersion }): Promise<void> {
      await serving().backend.stop(input.server.server);
      await serving().ports.release(`${input.deployment}/v${input.server.version}`);
    },

    /**
     * Makes the real state match the workflow's: every wanted model server running (started
     * again if it stopped), no other server of this deployment, HAProxy running with exactly
     * these servers and weights, the sampler running with this config. Returns what it repaired.
     */
    async applyServing(input: ApplyServingInput): Promise<{ repaired: string[]; changes: string[] }> {
      const s = serving();
      const repaired: string[] = [];
      const wanted = new Set(input.servers.map((v) => v.server));
      for (const name of await s.backend.list({ 'tidemark.serving': input.deployment }))
        if (!wanted.has(name)) {
          await s.backend.stop(name);
          repaired.push(`removed stray model server ${name}`);
        }
      for (const v of input.servers) {
        const st = await s.backend.state(v.server);
        if (st.running) continue;
        await s.backend.start({
          name: v.server,
          image: await servingImage(),
          source: v.source,
          port: v.port,
          ...input.options.resources,
          labels: {
            'tidemark.managed': 'true',
            'tidemark.serving': input.deployment,
            'tidemark.model': v.name,
            'tidemark.model-version': v.version,
          },
        });
        repaired.push(`model server of v${v.version} was ${st.exists ? 'stopped' : 'missing'}: started`);
      }
      const dir = dirOf(input.deployment);
      const sampling = input.options.sampling;
      const restartedSampler = await s.samplers.ensure(dir, {
        deploymentId: input.deployment,
        logPort: input.ports.log,
        metricsPort: input.ports.sampler,
        spoolDir: join(dir, 'spool'),
        batchRows: sampling.batchRows,
        batchMs: sampling.batchMs,
        minio: {
          endpoint: deps.config.minio.endpoint,
          accessKey: deps.config.minio.accessKey,
          bucket: deps.config.minio.bucket,
        },
        prefix: `live/${slug(input.deployment)}`,
        monitor: input.monitorWorkflowId
          ? {
              temporalAddress: deps.config.temporal.address,
              namespace: deps.config.temporal.namespace,
              workflowId: input.monitorWorkflowId,
            }
          : undefined,
      });
      if (restartedSampler) repaired.push('sampler (re)started');
      const proxy = await s.proxies.ensure({
        dir,
        port: input.ports.proxy,
        statsPort: input.ports.stats,
        logPort: input.ports.log,
        sampleRate: sampling.rate,
        servers: input.servers.map((v) => ({ name: `v${v.version}`, port: v.port, weight: v.weight })),
      });
      if (proxy.started) repaired.push('proxy was not running: started with the wanted servers and weights');
      if (proxy.reloaded) repaired.push('proxy reloaded (its ports or sampling changed)');
      return { repaired, changes: proxy.changes };
    },

    async readServingMetrics(input: { ports: ServingPortsResult }): Promise<MetricsSnapshot> {
      return readServingMetrics(input.ports.stats, input.ports.sampler);
    },

    async probeCanary(input: { server: ServedVersion; rows: ArtifactRef; expected?: string }): Promise<ProbeReading> {
      return probeServer(deps.store, serving().backend.address(input.server), input.rows, input.expected);
    },

    async moveModelAlias(input: { name: string; alias: string; version: string }): Promise<void> {
      await deps.mlflow.setModelAlias(input.name, input.alias, input.version);
    },

    async recordServingDecision(input: RecordDecisionInput): Promise<{ runId: string }> {
      return recordDecision(deps, input);
    },

    /** Stops the proxy, the sampler (it writes its open batch first) and every model server of the deployment. */
    async teardownDeployment(input: { deployment: string }): Promise<void> {
      const s = serving();
      const dir = dirOf(input.deployment);
      await s.proxies.stop(dir);
      await s.samplers.stop(dir);
      for (const name of await s.backend.list({ 'tidemark.serving': input.deployment })) await s.backend.stop(name);
      await s.ports.release(`${input.deployment}/`);
    },
  };
}
