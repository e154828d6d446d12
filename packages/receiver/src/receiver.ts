import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { OLD_SIGNATURE_HEADER, SIGNATURE_HEADER, readHeader, signBody, verifyWebhook, type WebhookRejection } from '@hookstream/signing';

export interface ReceiverOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** The webhook's secret (`dotsecret.…`). */
  secret: string;
  /** The secret before a rotation, when the receiver wants to accept it too. */
  oldSecret?: string;
  /** How far `context.timestamp` may be from this clock, either way. */
  toleranceSeconds: number;
  /** Answer 500 to every verified delivery. */
  fail: boolean;
  /** Answer 500 to the first N verified deliveries, then 200. */
  failFirst: number;
  /** Wait this long before answering each POST. */
  delayMs: number;
  /** Print one line per delivery instead of the whole body. */
  quiet: boolean;
  /** Where the deliveries are printed (stdout), and why requests were refused (stderr). */
  out: (text: string) => void;
  err: (text: string) => void;
  /** The clock, UNIX seconds (tests move it). */
  nowSeconds?: () => number;
}

/** Why a request got a 400, in words. */
export const REJECTION_REASONS: Record<WebhookRejection | 'body_too_large', string> = {
  missing_signature: 'no Dotfile-Signature or Dotfile-Old-Signature header',
  bad_signature: 'the signature matches neither header with the secret this receiver holds (wrong secret, or the body was changed)',
  malformed_body: 'the body is not a JSON object with a numeric context.timestamp',
  timestamp_out_of_tolerance: 'context.timestamp is too far from this clock: a replayed or very late call',
  body_too_large: 'the body is larger than 5 MiB',
};

const MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface RunningReceiver {
  url: string;
  port: number;
  server: Server;
  /** Verified deliveries so far. */
  deliveries(): number;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function reply(response: ServerResponse, status: number, body: Record<string, unknown>): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(`${JSON.stringify(body)}\n`);
}

/** Which header the receiver's secrets produced, to tell the user about a rotation. */
function matchedHeader(rawBody: Buffer, request: IncomingMessage, secrets: string[]): string {
  const headers = [SIGNATURE_HEADER, OLD_SIGNATURE_HEADER] as const;
  for (const [index, secret] of secrets.entries()) {
    const signature = signBody(rawBody, secret);
    for (const header of headers) {
      if (readHeader(request.headers, header)?.trim().toLowerCase() === signature) {
        const which = index === 0 ? 'your secret' : 'your old secret (--old-secret)';
        const rotated = header === OLD_SIGNATURE_HEADER ? ': the webhook\'s secret was rotated, switch to the new one before the grace period ends' : '';
        return `${header} matches ${which}${rotated}`;
      }
    }
  }
  return 'valid';
}

function formatDelivery(input: {
  at: Date;
  path: string;
  payload: Record<string, unknown>;
  signature: string;
  status: number;
  note: string;
  quiet: boolean;
}): string {
  const { payload } = input;
  const context = (payload.context ?? {}) as Record<string, unknown>;
  const workspace = (context.workspace ?? {}) as Record<string, unknown>;
  const event = `${String(payload.event)}${payload.sub_event ? ` › ${String(payload.sub_event)}` : ''}`;
  const retryCount = Number(context.retry_count ?? 0);
  const attempt = retryCount === 0 ? 'first call' : `retry ${retryCount}`;
  const head = `${input.at.toISOString()}  ${event}  ${attempt} (${String(context.remaining_retry_count)} automatic retries left)  → ${input.status}${input.note}`;
  if (input.quiet) return `${head}  event_id ${String(context.event_id)}\n`;
  const entityKey = Object.keys(payload).find((key) => !['event', 'sub_event', 'context'].includes(key));
  const lines = [
    `── ${head}`,
    `   POST ${input.path}`,
    `   event_id   ${String(context.event_id)}`,
    `   workspace  ${String(workspace.name)} (${String(workspace.id)})`,
    `   signature  ${input.signature}`,
    `   timestamp  ${String(context.timestamp)} (${new Date(Number(context.timestamp) * 1000).toISOString()})`,
    ...(entityKey ? [`   ${entityKey}`, ...JSON.stringify(payload[entityKey], null, 2).split('\n').map((line) => `     ${line}`)] : []),
    ...Object.entries(context)
      .filter(([key]) => !['timestamp', 'event_id', 'retry_count', 'remaining_retry_count', 'workspace'].includes(key))
      .map(([key, value]) => `   context.${key}  ${JSON.stringify(value)}`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * A webhook receiver for trying hookstream out: verifies each POST as a customer should
 * (signature over the raw body, then the timestamp), answers 400 saying why when that
 * fails, prints each verified delivery, and can fail (500) or be slow on purpose so that
 * retries can be watched.
 */
export async function startReceiver(options: ReceiverOptions): Promise<RunningReceiver> {
  let delivered = 0;
  const now = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const secrets = [options.secret, ...(options.oldSecret ? [options.oldSecret] : [])];

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = request.url ?? '/';
    if (request.method !== 'POST') {
      if (request.method === 'GET' || request.method === 'HEAD') return reply(response, 200, { receiver: 'hookstream', post_webhooks_to: 'any path' });
      response.setHeader('allow', 'GET, HEAD, POST');
      return reply(response, 405, { error: 'method_not_allowed' });
    }
    const rawBody = await readBody(request);
    if (options.delayMs > 0) await sleep(options.delayMs);
    const at = new Date();
    if (rawBody === undefined) {
      options.err(`${at.toISOString()}  POST ${path}  → 400 body_too_large: ${REJECTION_REASONS.body_too_large}\n`);
      return reply(response, 400, { error: 'body_too_large', message: REJECTION_REASONS.body_too_large });
    }
    const verification = verifyWebhook({
      rawBody,
      headers: request.headers,
      secret: options.secret,
      ...(options.oldSecret ? { previousSecret: options.oldSecret } : {}),
      toleranceSeconds: options.toleranceSeconds,
      nowSeconds: now(),
    });
    if (!verification.ok) {
      const message = REJECTION_REASONS[verification.reason];
      options.err(`${at.toISOString()}  POST ${path}  → 400 ${verification.reason}: ${message}\n`);
      return reply(response, 400, { error: verification.reason, message });
    }
    delivered += 1;
    const failing = options.fail || delivered <= options.failFirst;
    const status = failing ? 500 : 200;
    const note = failing ? (options.fail ? '  (failing on purpose: --fail)' : `  (failing on purpose: ${delivered} of the first ${options.failFirst})`) : '';
    options.out(
      formatDelivery({ at, path, payload: verification.payload, signature: matchedHeader(rawBody, request, secrets), status, note, quiet: options.quiet }),
    );
    return failing ? reply(response, 500, { error: 'failing_on_purpose' }) : reply(response, 200, { received: true });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.err(`receiver error: ${error instanceof Error ? error.message : String(error)}\n`);
      if (!response.headersSent) reply(response, 500, { error: 'receiver_error' });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    deliveries: () => delivered,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
