import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { findPostgresBinDir, runCommandOrThrow, startLocalPostgres, type LocalPostgres } from '@hookstream/local-infra';

/**
 * The local PostgreSQL server of a chaos run, which can be stopped the hard way
 * (`pg_ctl -m immediate`: every backend quits at once, no checkpoint, crash recovery at
 * the next start, as after a power cut) and started again on the same port.
 */
export async function startChaosPostgres(baseDir: string) {
  let server: LocalPostgres = await startLocalPostgres({ baseDir });
  const port = server.port;
  const dataDir = path.join(baseDir, 'data');
  const pgCtl = path.join(findPostgresBinDir(), 'pg_ctl');
  const asServerUser = (args: string[]): [string, string[]] =>
    userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', pgCtl, ...args]] : [pgCtl, args];

  return {
    get url() {
      return server.url;
    },
    port,
    /** The postmaster's pid while it runs (its backends are its children). */
    pid(): number | undefined {
      const file = path.join(dataDir, 'postmaster.pid');
      if (!existsSync(file)) return undefined;
      const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
      return Number.isInteger(pid) ? pid : undefined;
    },
    async stopImmediately(): Promise<void> {
      const [command, args] = asServerUser(['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      await runCommandOrThrow(command, args);
    },
    async start(): Promise<void> {
      server = await startLocalPostgres({ baseDir, port });
      if (server.port !== port) throw new Error(`PostgreSQL came back on port ${server.port}, not ${port}`);
    },
    stop: () => server.stop(),
  };
}

export type ChaosPostgres = Awaited<ReturnType<typeof startChaosPostgres>>;
