/**
 * `npm run stack`: starts the embedded stack on loopback and waits for health.
 *   (no flag)    start what is missing, print the URLs, keep running; Ctrl-C stops what it started
 *   --detach     start what is missing, print the URLs, exit and leave the services running
 *   --stop       stop every service of the embedded stack started by any Tidemark command
 *   --versions   print the versions of temporal, minio, mlflow, dockerd and kubernetes, one line each
 *                (in the production profile also PostgreSQL and the Temporal Web UI server)
 *   --profile    dev (default, or TIDEMARK_STACK_PROFILE) or production: the Temporal server on
 *                PostgreSQL (docs/production.md)
 *   --with prometheus   also start Debian's Prometheus, scraping the worker's metrics
 *   --with kubernetes   also start the embedded Kubernetes cluster (started anyway when the
 *                config selects the Kubernetes backend)
 */
import { Command } from 'commander';
import { resolveProfile } from './stack/profile.js';
import { OPTIONAL_SERVICES, Stack, type OptionalService } from './stack/stack.js';

const program = new Command('stack')
  .option('--detach', 'leave the services running when this command exits')
  .option('--stop', 'stop every service of the embedded stack')
  .option('--versions', 'print the version of each service, one line each')
  .option(
    '--profile <name>',
    'dev (the Temporal dev server) or production (the Temporal server on PostgreSQL); default: $TIDEMARK_STACK_PROFILE, else dev',
  )
  .option('--with <service...>', `optional services to start too: ${OPTIONAL_SERVICES.join(', ')}`)
  .parse();
const opts = program.opts<{
  detach?: boolean;
  stop?: boolean;
  versions?: boolean;
  profile?: string;
  with?: string[];
}>();

async function main(): Promise<void> {
  const profile = resolveProfile(opts.profile);
  if (opts.versions) {
    for (const line of await Stack.open({ profile }).versions()) console.log(line);
    return;
  }
  if (opts.stop) {
    const stopped = await Stack.open({ profile }).stopAll();
    console.log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing to stop');
    return;
  }
  const optional = (opts.with ?? []).map((name) => {
    if (!(OPTIONAL_SERVICES as readonly string[]).includes(name))
      throw new Error(`--with ${name}: the optional services are ${OPTIONAL_SERVICES.join(', ')}`);
    return name as OptionalService;
  });
  console.error(`Starting the Tidemark stack (${profile} profile) on 127.0.0.1 …`);
  const stack = await Stack.ensure({ profile, with: optional });
  for (const line of stack.urls()) console.log(`  ${line}`);
  if (opts.detach || stack.started.length === 0) {
    if (stack.started.length === 0) console.error('Everything was already running; nothing changed.');
    else console.error('Left running. Stop it with `npm run stack -- --stop`.');
    return;
  }
  console.error('Stack is up. Press Ctrl-C to stop the services this command started.');
  const keepAlive = setInterval(() => undefined, 1 << 30); // signal handlers alone do not keep Node running
  await new Promise<void>((resolve) => {
    const stop = () => {
      clearInterval(keepAlive);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  console.error(`Stopping ${[...stack.started].reverse().join(', ')} …`);
  await stack.stopStarted();
}

main().catch((err: unknown) => {
  console.error(`stack: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
