import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { isAlive, startDaemon, waitUntil, type DaemonSpec } from '../daemon.js';
import { StackStateError } from '../errors.js';
import type { StackPaths } from '../paths.js';
import { missingProductionTool, postgresBinDir } from '../production-tools.js';
import { PRODUCTION_TOPOLOGY, type PostgresSettings } from '../production-topology.js';
import type { StackService } from './service.js';

/** The system account PostgreSQL runs as when the stack runs as root (PostgreSQL refuses to run as root). */
const POSTGRES_ACCOUNT = 'postgres';

/**
 * Uid and gid of a system account, from /etc/passwd (Node has no getpwnam; the file's format is
 * fixed and this is the one field pair needed).
 */
function account(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

/**
 * A PostgreSQL cluster of the stack's own: Debian's PostgreSQL binaries, a data folder made by
 * initdb in the state folder, listening on 127.0.0.1 at its own port only (no Unix socket), never
 * the system's cluster. It holds Temporal's two databases and MLflow's.
 */
export class PostgresServer implements StackService {
  readonly name = 'postgres';
  private readonly binDir = postgresBinDir();

  constructor(
    private readonly paths: StackPaths,
    private readonly pg: PostgresSettings,
  ) {}

  private bin(program: string): string {
    const path = join(this.binDir, program);
    if (!existsSync(path)) throw missingProductionTool(`PostgreSQL ${PRODUCTION_TOPOLOGY.postgresMajor} (${path})`);
    return path;
  }

  private dataDir(): string {
    return join(this.paths.stateDir, 'postgres', 'data');
  }

  /** As root, the command is run as the postgres account; otherwise as the current user. */
  private asServerUser(command: string, args: string[]): { command: string; args: string[] } {
    if (process.getuid?.() !== 0) return { command, args };
    return {
      command: 'setpriv',
      args: [`--reuid=${POSTGRES_ACCOUNT}`, `--regid=${POSTGRES_ACCOUNT}`, '--init-groups', '--', command, ...args],
    };
  }

  async healthy(): Promise<boolean> {
    if (!existsSync(join(this.binDir, 'pg_isready'))) return false;
    const { exitCode } = await execa(
      join(this.binDir, 'pg_isready'),
      ['-q', '-h', this.pg.host, '-p', String(this.pg.port), '-t', '1'],
      { reject: false },
    );
    return exitCode === 0;
  }

  daemonSpec(): DaemonSpec {
    const { command, args } = this.asServerUser(this.bin('postgres'), [
      '-D',
      this.dataDir(),
      '-c',
      `listen_addresses=${this.pg.host}`,
      '-c',
      `port=${this.pg.port}`,
      // TCP on loopback only: no socket file in a system folder.
      '-c',
      'unix_socket_directories=',
      // Each Temporal service opens pools of its own (up to 120 connections), MLflow up to 30.
      '-c',
      'max_connections=200',
    ]);
    // Fast shutdown: clients are disconnected, not waited for. (Each backend leads a process group of
    // its own, so only the postmaster gets the signal; it stops them and exits last.)
    return {
      name: this.name,
      command,
      args,
      logFile: join(this.paths.logsDir, 'postgres.log'),
      runDir: this.paths.runDir,
      stopSignal: 'SIGINT',
    };
  }

  async start(): Promise<void> {
    const spec = this.daemonSpec();
    await this.initCluster();
    const pid = startDaemon(spec);
    const hint = `See ${spec.logFile}; is port ${this.pg.port} taken by another process (set TIDEMARK_POSTGRES_PORT)?`;
    // Up when the server it started answers, not another PostgreSQL on the port: stop waiting if it exits.
    await waitUntil('PostgreSQL', async () => !isAlive(pid) || this.healthy(), 60_000, hint);
    if (!isAlive(pid)) throw new StackStateError(`PostgreSQL exited during its start. ${hint}`);
  }

  /** Runs initdb once: a cluster whose only role is Tidemark's, with password authentication. */
  private async initCluster(): Promise<void> {
    const dataDir = this.dataDir();
    const versionFile = join(dataDir, 'PG_VERSION');
    if (existsSync(versionFile)) {
      const version = readFileSync(versionFile, 'utf8').trim();
      if (version !== String(PRODUCTION_TOPOLOGY.postgresMajor)) {
        throw new StackStateError(
          `${dataDir} holds a PostgreSQL ${version} cluster, but the stack runs PostgreSQL ${PRODUCTION_TOPOLOGY.postgresMajor}. Fix: delete ${dirname(dataDir)} to start afresh (Temporal's and MLflow's data in it are lost), or upgrade it with pg_upgrade.`,
        );
      }
      return;
    }
    const parent = dirname(dataDir);
    mkdirSync(parent, { recursive: true, mode: 0o700 });
    const owner = process.getuid?.() === 0 ? account(POSTGRES_ACCOUNT) : undefined;
    if (process.getuid?.() === 0) {
      if (!owner) throw missingProductionTool(`the ${POSTGRES_ACCOUNT} account (Debian's postgresql package makes it)`);
      this.assertReachable(parent);
      chownSync(parent, owner.uid, owner.gid);
    }
    const pwFile = join(parent, '.initdb-password');
    writeFileSync(pwFile, `${this.pg.password}\n`, { mode: 0o600 });
    try {
      if (owner) chownSync(pwFile, owner.uid, owner.gid);
      const { command, args } = this.asServerUser(this.bin('initdb'), [
        '-D',
        dataDir,
        '-U',
        this.pg.user,
        `--pwfile=${pwFile}`,
        '--auth=scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-instructions',
      ]);
      const result = await execa(command, args, { reject: false, all: true, cwd: parent });
      if (result.exitCode !== 0) {
        rmSync(dataDir, { recursive: true, force: true });
        throw new StackStateError(
          `initdb failed for ${dataDir} (exit ${result.exitCode}):\n${result.all}\nFix: see the message above; the stack runs initdb again on its next start.`,
        );
      }
    } finally {
      rmSync(pwFile, { force: true });
    }
  }

  /** The postgres account must be able to reach the cluster's folder through every folder above it. */
  private assertReachable(dir: string): void {
    for (let d = dirname(dir); ; d = dirname(d)) {
      if ((statSync(d).mode & 0o001) === 0) {
        throw new StackStateError(
          `PostgreSQL runs as the ${POSTGRES_ACCOUNT} account, which cannot enter ${d} (no execute permission for others). Fix: \`chmod o+x ${d}\`, or set TIDEMARK_STATE_DIR to a folder it can reach.`,
        );
      }
      if (d === dirname(d)) return;
    }
  }

  /** Runs one SQL statement in `database` as Tidemark's role; returns its rows, columns separated by `|`. */
  async sql(statement: string, database = 'postgres'): Promise<string[]> {
    const { stdout } = await execa(
      this.bin('psql'),
      [
        '-h',
        this.pg.host,
        '-p',
        String(this.pg.port),
        '-U',
        this.pg.user,
        '-d',
        database,
        '-v',
        'ON_ERROR_STOP=1',
        '-Atqc',
        statement,
      ],
      {
        env: { PGPASSWORD: this.pg.password, PGCONNECT_TIMEOUT: '5' },
      },
    );
    return stdout.split('\n').filter((l) => l.length > 0);
  }

  /** Creates the databases of Temporal and MLflow that are missing. */
  async prepare(): Promise<void> {
    const wanted = Object.values(PRODUCTION_TOPOLOGY.databases);
    const existing = new Set(await this.sql('SELECT datname FROM pg_database'));
    for (const name of wanted.filter((db) => !existing.has(db))) {
      try {
        await this.sql(`CREATE DATABASE "${name}"`);
      } catch (err) {
        // Another stack process may have created it meanwhile.
        if (!(await this.sql(`SELECT 1 FROM pg_database WHERE datname = '${name}'`)).length) throw err;
      }
    }
  }

  async version(): Promise<string> {
    const { stdout } = await execa(this.bin('postgres'), ['--version']);
    return `postgres ${stdout.replace(/^postgres \(PostgreSQL\)\s*/, '').trim()} (${this.bin('postgres')})`;
  }

  urls(): string[] {
    return [
      `PostgreSQL: postgresql://${this.pg.user}@${this.pg.host}:${this.pg.port} (databases ${Object.values(PRODUCTION_TOPOLOGY.databases).join(', ')})`,
    ];
  }
}
