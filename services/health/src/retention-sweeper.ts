import type { Knex } from '@hookstream/db';
import type { Logger } from '@hookstream/observability';
import type { CallLogDal } from './call-logs/call-log-dal';
import type { HealthMetrics } from './metrics';
import type { FailureWindowDal } from './offline-rule/failure-window-dal';

/** Rows deleted per statement: each DELETE is short, so it never holds locks for long. */
const PURGE_BATCH_SIZE = 1_000;

export interface RetentionSweeper {
  /** Purges everything past its retention now; resolves with what it deleted. */
  sweep(): Promise<{ callLogs: number; failures: number }>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Background purges: call logs older than LOG_RETENTION (docs/webhooks.md "Call logs"), and
 * failures too old to share a window with any failure still to come. Failures are kept
 * for two windows rather than one, so that an outcome consumed late (the health service
 * lagging behind or restarting) is still counted against the failures before it.
 */
export function createRetentionSweeper(options: {
  knex: Knex;
  callLogs: Pick<CallLogDal, 'purgeCallsCreatedBefore'>;
  failureWindow: Pick<FailureWindowDal, 'purgeFailedBefore'>;
  retentionMs: number;
  failureWindowMs: number;
  intervalMs: number;
  metrics: Pick<HealthMetrics, 'callLogsPurged' | 'failuresPurged'>;
  logger: Logger;
  now?: () => Date;
}): RetentionSweeper {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;

  async function purgeAll(purge: (limit: number) => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await purge(PURGE_BATCH_SIZE);
      total += deleted;
      if (deleted < PURGE_BATCH_SIZE) return total;
    }
  }

  async function sweep() {
    const now = (options.now?.() ?? new Date()).getTime();
    const callLogs = await purgeAll((limit) =>
      options.callLogs.purgeCallsCreatedBefore(options.knex, new Date(now - options.retentionMs), limit),
    );
    options.metrics.callLogsPurged.inc(callLogs);
    const failures = await purgeAll((limit) =>
      options.failureWindow.purgeFailedBefore(options.knex, new Date(now - 2 * options.failureWindowMs), limit),
    );
    options.metrics.failuresPurged.inc(failures);
    if (callLogs > 0 || failures > 0) options.logger.info({ callLogs, failures }, 'purged call logs and failures past their retention');
    return { callLogs, failures };
  }

  const schedule = () => {
    timer = setTimeout(() => {
      running = sweep()
        .catch((error: unknown) => options.logger.warn({ err: error }, 'purging old call logs failed; retrying at the next sweep'))
        .finally(() => {
          running = undefined;
          if (!stopped) schedule();
        });
    }, options.intervalMs);
    timer.unref();
  };

  return {
    sweep,
    start() {
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
