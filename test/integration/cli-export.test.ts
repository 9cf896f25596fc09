import { strict as assert } from 'node:assert';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { writeComposeExport } from '../../cli/export/compose-file.js';
import { ComposeExportError } from '../../cli/export/errors.js';
import { planCompose } from '../../cli/export/plan.js';
import { loadPipelineFile } from '../../cli/graph/load-spec.js';
import { uniqueId } from '../helpers/integration.js';
import { tempDir } from '../helpers/temp.js';

const BUSYBOX = 'tidemark/busybox:latest';

interface ComposeService {
  image: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  network_mode: string;
  cpus?: number;
  mem_limit?: string;
  volumes: string[];
  depends_on?: Record<string, { condition: string }>;
}
type ComposeFile = { services: Record<string, ComposeService> };

async function exportCompose(
  pipelineFile: string,
  out: string,
  params?: Record<string, unknown>,
): Promise<{ compose: ComposeFile; text: string }> {
  const loaded = loadPipelineFile(pipelineFile);
  await writeComposeExport(planCompose(loaded, { composeDir: dirname(out), params }), out, loaded.spec.name);
  const text = await readFile(out, 'utf8');
  return { compose: parse(text) as ComposeFile, text };
}

const upstream = (s: ComposeService) => Object.keys(s.depends_on ?? {}).sort();

/** Compose v2 (`docker compose`) or v1 (`docker-compose`), whichever this machine has. */
async function composeCli(): Promise<string[] | undefined> {
  for (const cli of [['docker', 'compose'], ['docker-compose']]) {
    if ((await execa(cli[0]!, [...cli.slice(1), 'version'], { reject: false })).exitCode === 0) return cli;
  }
  return undefined;
}

/**
 * Without a compose CLI, runs the services as compose would: in depends_on order, one
 * `docker run` each, built from the compose file's own fields (with compose's `$$` undone).
 */
async function runServicesInOrder(file: string, project: string): Promise<void> {
  const { services } = parse(await readFile(file, 'utf8')) as ComposeFile;
  const unescape = (s: string) => s.replaceAll('$$', '$');
  const done = new Set<string>();
  while (done.size < Object.keys(services).length) {
    const ready = Object.entries(services).find(
      ([name, s]) => !done.has(name) && upstream(s).every((d) => done.has(d)),
    );
    assert.ok(ready, 'the depends_on graph has a cycle');
    const [name, s] = ready;
    const volumes = s.volumes.flatMap((v) => ['-v', v.replace(/^\.\//, `${dirname(file)}/`)]);
    const env = Object.entries(s.environment ?? {}).flatMap(([k, v]) => ['-e', `${k}=${unescape(v)}`]);
    const [entry, ...entryArgs] = (s.entrypoint ?? []).map(unescape);
    const args = [
      'run',
      '--rm',
      '--name',
      `${project}-${name}`,
      '--network',
      s.network_mode,
      ...volumes,
      ...env,
      ...(entry ? ['--entrypoint', entry] : []),
      s.image,
      ...entryArgs,
      ...(s.command ?? []).map(unescape),
    ];
    const r = await execa('docker', args, { reject: false });
    assert.equal(r.exitCode, 0, `service ${name} failed: ${r.stderr}`);
    done.add(name);
  }
}

describe('tidemark export compose', () => {
  let dir: string;

  before(async () => {
    dir = tempDir('export');
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('writes one service per container step and map item, nested steps flattened, in dependency order with read-only input binds', async () => {
    const base = join(dir, 'shape');
    await mkdir(join(base, 'data'), { recursive: true });
    await writeFile(join(base, 'data', 'raw.csv'), 'x\n1\n');
    await writeFile(
      join(base, 'pipeline.yaml'),
      `
name: shape
params: { seeds: [7, 8], retrain: true, deploy: false }
inputs: { raw: { path: ./data/raw.csv } }
steps:
  - name: gather
    image: ${BUSYBOX}
    inputs: { raw: inputs.raw }
    outputs: { data: out/data.csv }
    resources: { cpus: 0.5, memoryMiB: 64 }
  - name: fit
    image: ${BUSYBOX}
    map: { over: "\${params.seeds}", as: seed }
    inputs: { data: gather.data }
    params: { seed: "\${seed}" }
    args: ["fit \${seed}", "$HOME"]
    outputs: [model]
    network: host
  - name: drift
    check: { plugin: ks, batch: gather.data }
  - name: alert
    image: ${BUSYBOX}
    when: drift.alarm == true
  - name: refit
    when: params.retrain == true
    inputs: { models: fit.model }
    pipeline:
      name: inner
      inputs: { models: { path: ./missing-is-not-read } }
      outputs: { best: pick.best }
      steps:
        - name: pick
          image: ${BUSYBOX}
          inputs: { models: inputs.models }
          outputs: [best]
        - name: note
          image: ${BUSYBOX}
  - name: ship
    image: ${BUSYBOX}
    inputs: { best: refit.best }
    env: { TARGET: prod }
  - name: deploy
    image: ${BUSYBOX}
    when: params.deploy == true
`,
    );
    const out = join(base, 'compose', 'docker-compose.pipeline.yml');
    const { compose, text } = await exportCompose(join(base, 'pipeline.yaml'), out);
    const s = compose.services;

    assert.deepEqual(Object.keys(s).sort(), ['fit__0', 'fit__1', 'gather', 'refit__note', 'refit__pick', 'ship']);
    assert.deepEqual(upstream(s.gather!), []);
    assert.deepEqual(upstream(s.fit__0!), ['gather']);
    assert.deepEqual(upstream(s.refit__pick!), ['fit__0', 'fit__1']);
    assert.deepEqual(upstream(s.refit__note!), ['fit__0', 'fit__1'], "a nested step waits for its pipeline's upstream");
    assert.deepEqual(upstream(s.ship!), ['refit__pick']);
    for (const svc of Object.values(s))
      for (const dep of Object.values(svc.depends_on ?? {}))
        assert.equal(dep.condition, 'service_completed_successfully');

    assert.deepEqual(s.gather!.volumes, [
      './runs/gather/inputs/params.json:/inputs/params.json:ro',
      './runs/gather/outputs:/outputs',
      '../data/raw.csv:/inputs/raw:ro',
    ]);
    assert.deepEqual(s.fit__1!.volumes.slice(2), ['./runs/gather/outputs/out/data.csv:/inputs/data:ro']);
    assert.deepEqual(s.refit__pick!.volumes.slice(2), [
      './runs/fit__0/outputs/model:/inputs/models/0:ro',
      './runs/fit__1/outputs/model:/inputs/models/1:ro',
    ]);
    assert.deepEqual(s.ship!.volumes.slice(2), ['./runs/refit__pick/outputs/best:/inputs/best:ro']);

    assert.equal(s.gather!.network_mode, 'none');
    assert.equal(s.fit__0!.network_mode, 'host');
    assert.equal(s.gather!.cpus, 0.5);
    assert.equal(s.gather!.mem_limit, '64m');
    assert.deepEqual(
      s.fit__1!.command,
      ['fit 8', '$$HOME'],
      'the map item is substituted and a literal $ is kept from compose',
    );
    assert.deepEqual(s.ship!.environment, { TARGET: 'prod' });
    assert.deepEqual(
      JSON.parse(await readFile(join(base, 'compose', 'runs', 'fit__1', 'inputs', 'params.json'), 'utf8')),
      { seed: 8 },
    );

    assert.match(text, /^# step "drift" is left out: check steps run in the Tidemark worker/m);
    assert.match(text, /^# step "alert" is left out: it runs after "drift", which is left out/m);
    assert.match(text, /^# step "deploy" is left out: when params\.deploy == true \(actual false\) is false/m);
  });

  it('refuses inputs that are artifact refs and says how to give them as a path', async () => {
    const base = join(dir, 'artifact');
    await mkdir(base, { recursive: true });
    await writeFile(
      join(base, 'pipeline.yaml'),
      `
name: stored
steps:
  - name: train
    image: ${BUSYBOX}
    inputs:
      data: { artifact: { uri: "s3://tidemark/cas/sha256/ab", sha256: "${'a'.repeat(64)}", size: 3, name: data.csv } }
`,
    );
    assert.throws(
      () => planCompose(loadPipelineFile(join(base, 'pipeline.yaml')), { composeDir: base }),
      (err: unknown) => {
        assert.ok(err instanceof ComposeExportError);
        assert.match(
          err.message,
          /step "train", input "data": s3:\/\/tidemark\/cas\/sha256\/ab lives in the Tidemark artifact store \(MinIO\)/,
        );
        assert.match(err.message, /\{ path: \.\/data\.csv \}/);
        return true;
      },
    );
  });

  it('runs a three-step busybox pipeline with Docker in dependency order, each step reading the outputs before it', async function () {
    const base = join(dir, 'run');
    await mkdir(base, { recursive: true });
    await writeFile(
      join(base, 'pipeline.yaml'),
      `
name: three
steps:
  - name: hello
    image: ${BUSYBOX}
    command: [sh, -c]
    args: ['v=world; echo "hello $v" > /outputs/greeting.txt']
    outputs: { greeting: greeting.txt }
  - name: shout
    image: ${BUSYBOX}
    params: { suffix: "!" }
    inputs: { g: hello.greeting }
    command: [sh, -c]
    args: ['cat /inputs/g /inputs/params.json > /outputs/combined.txt']
    outputs: { combined: combined.txt }
  - name: final
    image: ${BUSYBOX}
    env: { MARK: done }
    inputs: { g: hello.greeting, c: shout.combined }
    command: [sh, -c]
    args: ['cat /inputs/c > /outputs/final.txt && echo "$MARK" >> /outputs/final.txt && ! touch /inputs/c 2>/dev/null']
    outputs: { final: final.txt }
`,
    );
    const out = join(base, 'docker-compose.pipeline.yml');
    await exportCompose(join(base, 'pipeline.yaml'), out);

    const project = uniqueId('tmexport');
    const cli = await composeCli();
    if (cli) {
      const compose = (...args: string[]) =>
        execa(cli[0]!, [...cli.slice(1), '-f', out, '-p', project, ...args], { reject: false, cwd: base });
      try {
        const up = await compose('up', '--no-color');
        assert.equal(up.exitCode, 0, up.stderr);
        const exited = await execa('docker', [
          'ps',
          '-a',
          '--filter',
          `label=com.docker.compose.project=${project}`,
          '--format',
          '{{.Label "com.docker.compose.service"}} {{.Status}}',
        ]);
        const states = exited.stdout.split('\n').sort();
        assert.equal(states.length, 3, exited.stdout);
        for (const line of states) assert.match(line, /^\w+ Exited \(0\)/);
      } finally {
        await compose('down', '--remove-orphans');
      }
    } else {
      this.test!.title += ' (no compose CLI here: docker run, service by service)';
      await runServicesInOrder(out, project);
    }
    const final = await readFile(resolve(base, 'runs', 'final', 'outputs', 'final.txt'), 'utf8');
    assert.equal(final, 'hello world\n{\n  "suffix": "!"\n}\ndone\n');
  });
});
