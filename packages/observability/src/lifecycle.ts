import type { Logger } from 'pino';

export interface ShutdownStep {
  name: string;
  run: () => Promise<unknown>;
}

/**
 * Runs shutdown steps once, in order (stop intake, finish in-flight work, flush
 * producers, close clients), each bounded by the remaining time budget. A step that
 * fails or overruns is logged and the next one still runs. Calling it again returns the
 * first run's promise.
 */
export function createShutdown(options: { logger: Logger; timeoutMs: number; steps: () => ShutdownStep[] }) {
  let running: Promise<boolean> | undefined;
  return function shutdown(reason: string): Promise<boolean> {
    running ??= (async () => {
      const deadline = Date.now() + options.timeoutMs;
      let clean = true;
      options.logger.info({ reason }, 'shutting down');
      for (const step of options.steps()) {
        const remaining = Math.max(0, deadline - Date.now());
        let timer: NodeJS.Timeout | undefined;
        const outcome = await Promise.race([
          step.run().then(
            () => 'done' as const,
            (error: unknown) => {
              options.logger.error({ err: error, step: step.name }, 'shutdown step failed');
              return 'failed' as const;
            },
          ),
          new Promise<'timeout'>((resolve) => {
            timer = setTimeout(() => resolve('timeout'), remaining);
          }),
        ]);
        clearTimeout(timer);
        if (outcome === 'timeout') options.logger.warn({ step: step.name }, 'shutdown step overran its time budget');
        if (outcome !== 'done') clean = false;
      }
      options.logger.info({ clean }, 'stopped');
      return clean;
    })();
    return running;
  };
}

/**
 * Wires SIGTERM/SIGINT to the shutdown and makes an unhandled error stop the process
 * non-zero after an attempt at an orderly shutdown, instead of being only logged.
 */
export function installProcessHandlers(options: { logger: Logger; shutdown: (reason: string) => Promise<boolean> }): void {
  const stop = (reason: string, exitCode: number) => {
    void options.shutdown(reason).then((clean) => {
      process.exit(exitCode !== 0 ? exitCode : clean ? 0 : 1);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM', 0));
  process.once('SIGINT', () => stop('SIGINT', 0));
  process.on('uncaughtException', (error) => {
    options.logger.fatal({ err: error }, 'uncaught exception');
    stop('uncaughtException', 1);
  });
  process.on('unhandledRejection', (error) => {
    options.logger.fatal({ err: error }, 'unhandled rejection');
    stop('unhandledRejection', 1);
  });
}
