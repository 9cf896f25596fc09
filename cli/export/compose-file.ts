import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Document, isMap, isScalar } from 'yaml';
import type { ComposePlan, PlannedService } from './plan.js';

/** A value with `$` doubled, so that compose passes it on as written instead of reading a variable. */
const literal = (s: string) => s.replace(/\$/g, () => '$$');
const literals = (rec: Record<string, string>) =>
  Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, literal(v)]));

/** One service as compose writes it. */
function serviceBody(s: PlannedService): Record<string, unknown> {
  const { step } = s;
  const body: Record<string, unknown> = {};
  if (step.image) body.image = step.image;
  if (s.buildContext) {
    const { dockerfile, args, network } = step.build!;
    body.build = {
      context: s.buildContext,
      ...(dockerfile ? { dockerfile } : {}),
      ...(args ? { args: literals(args) } : {}),
      network: network ?? 'none',
    };
  }
  if (step.command) body.entrypoint = step.command.map(literal);
  if (step.args) body.command = step.args.map(literal);
  // Secrets are read from the shell that runs compose, by the name the worker would read.
  const environment = {
    ...literals(step.env),
    ...Object.fromEntries(Object.entries(step.secretEnv).map(([k, v]) => [k, `\${${v}}`])),
  };
  if (Object.keys(environment).length) body.environment = environment;
  body.network_mode = step.network;
  if (step.resources.cpus) body.cpus = step.resources.cpus;
  if (step.resources.memoryMiB) body.mem_limit = `${step.resources.memoryMiB}m`;
  if (step.resources.gpus)
    body.deploy = {
      resources: {
        reservations: { devices: [{ driver: 'nvidia', count: step.resources.gpus, capabilities: ['gpu'] }] },
      },
    };
  body.volumes = s.binds.map((b) => `${literal(b.host)}:${b.container}${b.readOnly ? ':ro' : ''}`);
  if (s.dependsOn.length)
    body.depends_on = Object.fromEntries(s.dependsOn.map((d) => [d, { condition: 'service_completed_successfully' }]));
  return body;
}

/** The compose file's text: the services, a header saying how to run it and what it leaves out, and each service's notes. */
export function composeYaml(plan: ComposePlan, about: { pipeline: string; file: string }): string {
  const doc = new Document({ services: Object.fromEntries(plan.services.map((s) => [s.name, serviceBody(s)])) });
  doc.commentBefore = [
    ` Pipeline "${about.pipeline}", exported by \`tidemark export compose\`.`,
    ` Run: docker compose -f ${about.file} up   (or docker-compose 1.29+)`,
    ' Each step reads /inputs (read-only binds of upstream outputs and its params.json) and writes ./runs/<service>/outputs.',
    ' Timeouts, retries, caching, MLflow runs and artifact upload are Tidemark worker features; they do not apply here.',
    ...plan.notes.map((n) => ` ${n}`),
  ].join('\n');
  const services = doc.get('services', true);
  if (isMap(services)) {
    for (const pair of services.items) {
      const notes = plan.services.find((s) => isScalar(pair.key) && s.name === pair.key.value)?.notes ?? [];
      if (notes.length && isScalar(pair.key)) pair.key.commentBefore = notes.map((n) => ` ${n}`).join('\n');
    }
  }
  return doc.toString({ lineWidth: 0 });
}

/**
 * Writes the compose file and, next to it, each service's `runs/<service>/inputs/params.json`
 * and an empty, world-writable `runs/<service>/outputs` (so that images running as any user can
 * write their outputs). Returns the paths written.
 */
export async function writeComposeExport(plan: ComposePlan, out: string, pipeline: string): Promise<string[]> {
  const dir = dirname(out);
  const written: string[] = [];
  for (const s of plan.services) {
    const run = join(dir, 'runs', s.name);
    await mkdir(join(run, 'inputs'), { recursive: true });
    await mkdir(join(run, 'outputs'), { recursive: true });
    await chmod(join(run, 'outputs'), 0o777);
    await writeFile(join(run, 'inputs', 'params.json'), `${JSON.stringify(s.step.params, null, 2)}\n`);
    written.push(join(run, 'inputs', 'params.json'));
  }
  await writeFile(out, composeYaml(plan, { pipeline, file: basename(out) }));
  return [out, ...written];
}
