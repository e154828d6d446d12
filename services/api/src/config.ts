import { booleanFlag, commaList, databaseEnv, durationMs, kafkaEnv, observabilityEnv, port, positiveInt, z } from '@hookstream/config';
import { parseSecretKey } from '@hookstream/db';
import { parseCidrList } from '@hookstream/target-safety';

const MAX_ROTATION_GRACE_MS = 168 * 3_600_000;

/** The api's configuration: docs/operations.md "Configuration". */
export const configShape = {
  ...kafkaEnv,
  ...databaseEnv,
  ...observabilityEnv,
  API_PORT: port(8080),
  /** Operators' bearer token for /admin/v1; unset, the admin routes answer 404 ("off until set"). */
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** 32 bytes in base64: the AES-256-GCM key of webhook secrets at rest (shared with the sender). */
  WEBHOOK_SECRET_KEY: z.string().refine(
    (text) => {
      try {
        parseSecretKey(text);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'expected 32 bytes encoded in base64 (e.g. `openssl rand -base64 32`)' },
  ),
  WEBHOOK_MAX_PER_WORKSPACE: positiveInt(50),
  /** The health service's offline rule, read here only to show it next to a webhook's failures. */
  WEBHOOK_OFFLINE_THRESHOLD: positiveInt(50),
  WEBHOOK_OFFLINE_WINDOW: durationMs('24h'),
  SECRET_ROTATION_GRACE: durationMs('24h').refine((ms) => ms <= MAX_ROTATION_GRACE_MS, { message: 'must be at most 168h' }),
  WEBHOOK_ALLOW_HTTP: booleanFlag(false),
  WEBHOOK_ALLOWED_CIDRS: z
    .string()
    .default('')
    .transform((text, context) => {
      try {
        return parseCidrList(text);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** Test calls (POST /v1/webhooks/{id}/test) are sent from the API with the sender's rules and timeouts. */
  WEBHOOK_TIMEOUT: durationMs('30s'),
  WEBHOOK_CONNECT_TIMEOUT: durationMs('10s'),
  /** DNS servers for webhook hosts (empty: the system's), as the sender's. */
  WEBHOOK_DNS_SERVERS: commaList(''),
  /** Test calls per minute per workspace… */
  API_TEST_CALL_RATE_LIMIT: positiveInt(10),
  /** …with bursts of up to this many. */
  API_TEST_CALL_BURST: positiveInt(5),
  HOOKSTREAM_VERSION: z.string().default('0.1.0'),
  /** Requests per second per API key (and for the admin token), on average… */
  API_RATE_LIMIT: z.coerce.number().positive().default(100),
  /** …with bursts of up to this many. */
  API_RATE_LIMIT_BURST: positiveInt(200),
};
