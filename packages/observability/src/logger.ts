import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

/**
 * Paths whose values never reach a log line: webhook secrets, API keys, signatures and
 * credentials, wherever they sit in a logged object.
 */
export const REDACTED_PATHS = [
  'secret',
  'previousSecret',
  'previous_secret',
  'apiKey',
  'api_key',
  'password',
  'authorization',
  '*.secret',
  '*.previousSecret',
  '*.previous_secret',
  '*.apiKey',
  '*.api_key',
  '*.password',
  '*.authorization',
  'headers["x-dotfile-api-key"]',
  'headers.authorization',
  'headers["dotfile-signature"]',
  'headers["dotfile-old-signature"]',
  'req.headers["x-dotfile-api-key"]',
  'req.headers.authorization',
];

/** `auto`: readable lines when stdout is a terminal, JSON lines otherwise. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** Whether a logger writing to stdout prints readable lines or JSON. */
export function resolveLogFormat(format: LogFormat, stdoutIsTty: boolean): 'json' | 'pretty' {
  if (format === 'auto') return stdoutIsTty ? 'pretty' : 'json';
  return format;
}

/**
 * A service's logger: JSON lines on stdout (what log collectors read), or, on a terminal,
 * readable coloured lines through pino-pretty (synchronously, no worker thread). The
 * redaction applies either way.
 */
export function createLogger(options: {
  service: string;
  level: string;
  destination?: pino.DestinationStream;
  format?: LogFormat;
}): Logger {
  const pinoOptions: pino.LoggerOptions = {
    name: options.service,
    level: options.level,
    base: { service: options.service, pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  const stdoutIsTty = process.stdout.isTTY === true;
  if (options.destination === undefined && resolveLogFormat(options.format ?? 'auto', stdoutIsTty) === 'pretty') {
    return pino(
      pinoOptions,
      pretty({
        sync: true,
        colorize: stdoutIsTty,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,service',
        singleLine: true,
      }),
    );
  }
  return pino(pinoOptions, options.destination);
}
