import pino, { type Logger } from 'pino';

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

export function createLogger(options: { service: string; level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      name: options.service,
      level: options.level,
      base: { service: options.service, pid: process.pid },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
