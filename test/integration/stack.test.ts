import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { readPid, specFingerprint, startedWith } from '../../scripts/stack/daemon.js';
import { PROJECT_ROOT } from '../../scripts/stack/paths.js';
import { MinioServer } from '../../scripts/stack/services/minio.js';
import { Stack } from '../../scripts/stack/stack.js';
import { locateTools } from '../../scripts/stack/tools.js';
import { getStack } from './hooks.js';
import { processesMentioning } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp.js';

describe('the embedded stack', () => {
  it('changes nothing when it is ensured again while already up', async () => {
    const running = await getStack();
    const pidsBefore = running.managed().map((name) => readPid(running.paths.runDir, name));
    const again = await Stack.ensure({ log: () => undefined });
    assert.deepEqual(again.started, []);
    assert.deepEqual(
      again.managed().map((name) => readPid(again.paths.runDir, name)),
      pidsBefore,
    );
  });

  it("restarts a service it started with another command line or environment (an older checkout's), and only that one", async function () {
    const running = await getStack();
    const runDir = running.paths.runDir;
    const before = readPid(runDir, 'minio');
    if (before === undefined) this.skip(); // MinIO was not started by the stack: it is used as it is
    writeFileSync(join(runDir, 'minio.spec'), 'started by an older checkout\n');
    const lines: string[] = [];
    const again = await Stack.ensure({ log: (line) => lines.push(line.trim()) });
    assert.deepEqual(again.started, ['minio']);
    assert.ok(
      lines.some((l) => l.startsWith('minio: restarting')),
      lines.join('\n'),
    );
    for (const name of ['dockerd', 'temporal', 'mlflow'])
      assert.ok(lines.includes(`${name}: already running`), lines.join('\n'));
    assert.notEqual(readPid(runDir, 'minio'), before);
    assert.equal(
      startedWith(runDir, 'minio'),
      specFingerprint(
        new MinioServer(running.config, running.paths, locateTools(process.env, running.paths).minio).daemonSpec(),
      ),
      'the new fingerprint is recorded',
    );
    const third = await Stack.ensure({ log: () => undefined });
    assert.deepEqual(third.started, [], 'a service started by this code is reused');
  });

  it('prints the versions of temporal, minio, mlflow, dockerd and kubernetes, one line each', async () => {
    const { stdout } = await execa('npx', ['tsx', 'scripts/stack.ts', '--versions'], { cwd: PROJECT_ROOT });
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 5);
    assert.match(lines[0]!, /^temporal v1\.5\.1 \(Server \d/);
    assert.match(lines[1]!, /^minio \S+/);
    assert.match(lines[2]!, /^mlflow 3\.\d+\.\d+/);
    assert.match(lines[3]!, /^dockerd \d+\.\d+/);
    assert.match(lines[4]!, /^kubernetes v1\.34\.4, etcd v3\.6\.16, containerd 1\.\d+\.\d+/);
  });

  it('stops every service it started, and leaves no orphan, on Ctrl-C', async function () {
    this.timeout(240_000);
    // A second stack on other ports with its own state folder, so the shared one is untouched.
    const stateDir = tempDir('stack');
    const env = {
      ...process.env,
      TIDEMARK_STATE_DIR: stateDir,
      TEMPORAL_ADDRESS: '127.0.0.1:17233',
      TIDEMARK_TEMPORAL_UI_URL: 'http://127.0.0.1:18233',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:19000',
      TIDEMARK_MINIO_CONSOLE_URL: 'http://127.0.0.1:19001',
      MLFLOW_TRACKING_URI: 'http://127.0.0.1:15000',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/stack.ts'], {
      cwd: PROJECT_ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 900 && !output.includes('Press Ctrl-C'); i++) await sleep(200);
      assert.ok(output.includes('Press Ctrl-C'), `stack did not come up:\n${output}`);
      assert.match(output, /MLflow UI: http:\/\/127\.0\.0\.1:15000/);
      const services = processesMentioning(stateDir);
      assert.ok(services.length >= 3, `temporal, minio and mlflow run from ${stateDir}`);
      process.kill(-child.pid!, 'SIGINT'); // what a terminal's Ctrl-C does: the whole foreground group
      assert.equal(await exited, 0, output);
      assert.deepEqual(processesMentioning(stateDir), [], 'no process of that stack survives');
      for (const url of [env.MLFLOW_TRACKING_URI, env.AWS_ENDPOINT_URL_S3, env.TIDEMARK_TEMPORAL_UI_URL]) {
        const answered = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
          () => true,
          () => false,
        );
        assert.equal(answered, false, `nothing answers on ${url} any more`);
      }
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      for (const pid of processesMentioning(stateDir))
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
