import { parseArgs } from 'node:util';
import { parseDurationMs } from '@hookstream/config';
import type { ReceiverOptions } from './receiver';

export const RECEIVER_USAGE = `usage: npm run receiver -- --secret <dotsecret.…> [options]

  --secret <secret>      the webhook's secret (or set WEBHOOK_SECRET)
  --old-secret <secret>  also accept the secret from before a rotation
  --port <n>             port to listen on (default 4000; 0 picks a free one)
  --host <address>       address to listen on (default 127.0.0.1)
  --tolerance <dur>      how old context.timestamp may be (default 2m)
  --fail                 answer 500 to every verified delivery (to watch retries)
  --fail-first <n>       answer 500 to the first n verified deliveries, then 200
  --delay <dur>          wait this long before answering (e.g. 5s; past the sender's timeout, a call fails)
  --quiet                one line per delivery instead of the whole payload

Durations: 500ms, 5s, 2m, 1h.`;

export class ReceiverUsageError extends Error {}

function duration(name: string, text: string | undefined, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new ReceiverUsageError(`--${name} must be a duration such as 500ms, 5s or 2m (got "${text}")`);
  return ms;
}

function integer(name: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > max) throw new ReceiverUsageError(`--${name} must be a whole number from 0 to ${max} (got "${text}")`);
  return value;
}

/** The receiver's options from its command line and environment; throws ReceiverUsageError. */
export function parseReceiverArguments(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Omit<ReceiverOptions, 'out' | 'err'> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        secret: { type: 'string' },
        'old-secret': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        tolerance: { type: 'string' },
        fail: { type: 'boolean' },
        'fail-first': { type: 'string' },
        delay: { type: 'string' },
        quiet: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new ReceiverUsageError((error as Error).message);
  }
  const secret = values.secret ?? env.WEBHOOK_SECRET;
  if (secret === undefined || secret.trim() === '') throw new ReceiverUsageError('--secret <secret> (or WEBHOOK_SECRET) is required: the secret of the webhook that calls this receiver');
  return {
    secret: secret.trim(),
    ...(values['old-secret'] ? { oldSecret: values['old-secret'].trim() } : {}),
    port: integer('port', values.port, 4000, 65_535),
    host: values.host ?? '127.0.0.1',
    toleranceSeconds: duration('tolerance', values.tolerance, 120_000) / 1000,
    fail: values.fail ?? false,
    failFirst: integer('fail-first', values['fail-first'], 0, 1_000_000),
    delayMs: duration('delay', values.delay, 0),
    quiet: values.quiet ?? false,
  };
}
