import { join } from 'node:path';
import type { TidemarkConfig } from '../../common/config.js';
import type { ServingBackend } from '../../lib/serving/serving-backend.js';
import { PortLeases } from '../../lib/serving/ports.js';
import { HaproxyManager } from '../../lib/serving/proxy/proxy-manager.js';
import { SamplerProcess } from '../../lib/serving/sampler/sampler-process.js';

/** What the serving activities work through: the model servers' backend, the proxies, the samplers and the port leases. */
export interface ServingDeps {
  backend: ServingBackend;
  proxies: HaproxyManager;
  samplers: SamplerProcess;
  ports: PortLeases;
  /** Folder of each deployment's proxy and sampler files (`<dir>/<deployment>`). */
  dir: string;
}

/** The serving dependencies from the config, over a backend chosen with the container backend. */
export function createServingDeps(config: TidemarkConfig, backend: ServingBackend): ServingDeps {
  const dir = join(config.state.dir, 'serving');
  return {
    backend,
    proxies: new HaproxyManager(),
    samplers: new SamplerProcess(config.minio.secretKey),
    ports: new PortLeases(join(dir, 'ports.json'), config.serving.ports),
    dir,
  };
}
