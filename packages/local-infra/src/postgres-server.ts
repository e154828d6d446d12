import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { anyFreePort, firstFreePort } from './ports';
import { runCommand, runCommandOrThrow } from './processes';

export interface LocalPostgresOptions {
  /** Folder for the cluster; owned by the `postgres` user when we run as root. */
  baseDir: string;
  port?: number | undefined;
  database?: string;
  /** Trade durability for speed (fsync off): for throw-away test clusters only. */
  ephemeral?: boolean;
}

export interface LocalPostgres {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Debian keeps the server programs off PATH, under /usr/lib/postgresql/<major>/bin. */
export function findPostgresBinDir(env: Record<string, string | undefined> = process.env): string {
  if (env.PG_BIN_DIR) return env.PG_BIN_DIR;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((entry) => existsSync(path.join(root, entry, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = majors[0];
  if (newest === undefined) {
    throw new Error(
      'PostgreSQL server programs (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin. ' +
        'Install them (apt-get install postgresql-15), set PG_BIN_DIR, or point DATABASE_URL at a running server.',
    );
  }
  return path.join(root, newest, 'bin');
}

/**
 * initdb and pg_ctl refuse to run as root: as root we run them as the `postgres` user on
 * a folder it owns.
 */
function asServerUser(binary: string, args: string[]): [string, string[]] {
  return userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
}

function ownByServerUser(dir: string): void {
  if (userInfo().uid !== 0) return;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (!line) throw new Error('there is no `postgres` user to run the PostgreSQL server as');
  const [, , uid = '', gid = ''] = line.split(':');
  chownSync(dir, Number.parseInt(uid, 10), Number.parseInt(gid, 10));
}

export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const bin = findPostgresBinDir();
  const dataDir = path.join(options.baseDir, 'data');
  const logFile = path.join(options.baseDir, 'server.log');
  mkdirSync(options.baseDir, { recursive: true });
  ownByServerUser(options.baseDir);

  // A server left running by an earlier run that was killed: stop it and start afresh.
  if (existsSync(path.join(dataDir, 'postmaster.pid'))) {
    const [command, args] = asServerUser(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    await runCommand(command, args);
  }

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const [command, args] = asServerUser(path.join(bin, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C',
      ...(options.ephemeral ? ['--no-sync'] : []),
    ]);
    await runCommandOrThrow(command, args);
  }

  const port = options.port === undefined ? await anyFreePort() : await firstFreePort(options.port);
  const serverOptions = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${options.baseDir}`,
    '-c max_connections=200',
    '-c shared_buffers=128MB',
    ...(options.ephemeral ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
  ].join(' ');
  const [command, args] = asServerUser(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start']);
  await runCommandOrThrow(command, args);

  const database = options.database ?? 'hookstream';
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await createDatabaseIfMissing(adminUrl, database);

  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    stop: async () => {
      const [stopCommand, stopArgs] = asServerUser(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      await runCommand(stopCommand, stopArgs);
    },
  };
}

export async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`invalid database name ${database}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount === 0) await client.query(`CREATE DATABASE ${database}`);
  } finally {
    await client.end();
  }
}
