import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { verifyWebhook } from '@hookstream/signing';

/**
 * Endpoint behaviours: `ok` answers 204 to every authentic call; `flaky` answers 503 to
 * the first two attempts (first call and retry 1) of about one call in eight, chosen by
 * the domain event id so that every run and every receiver agree, then 204; `unmatched`
 * belongs to a webhook no stream event matches, so any call to it is a routing fault.
 */
export type EndpointBehaviour = 'ok' | 'flaky' | 'unmatched';

/** Attempts a flaky endpoint refuses before it accepts a chosen call. */
export const FLAKY_FAILURES = 2;

/** Whether a flaky endpoint refuses the first attempts of this domain event's call. */
export function flakyChooses(domainEventId: string): boolean {
  return Number.parseInt(domainEventId.slice(0, 2), 16) % 8 === 0;
}

/** One request as a receiver saw it. */
export interface ReceivedCall {
  webhookId: string;
  /** `Dotfile-Event-Id`. */
  headerEventId: string | undefined;
  /** `context.event_id`. */
  bodyEventId: string | undefined;
  /** The domain event the call carries (the stream puts its id in the entity). */
  domainEventId: string | undefined;
  /** `context.workspace.id`. */
  workspaceId: string | undefined;
  retryCount: number | undefined;
  /** When the stream produced the event (epoch ms). */
  producedAtMs: number | undefined;
  receivedAtMs: number;
  signatureValid: boolean;
  rejection: string | undefined;
  status: number;
}

export interface ReceiverEndpoint {
  webhookId: string;
  url: string;
  behaviour: EndpointBehaviour;
}

const now = () => performance.timeOrigin + performance.now();

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Real HTTP receivers on 127.0.0.1, one server (one origin) per webhook, that verify every
 * call as the public guide tells customers to (signature over the raw body, timestamp
 * within tolerance) and record it whole.
 */
export function createReceivers() {
  const calls: ReceivedCall[] = [];
  const servers: Array<{ server: Server; sockets: Set<Socket> }> = [];
  const secrets = new Map<string, string>();

  return {
    calls,
    /** Opens a listener; the webhook id and secret are set once the webhook exists. */
    async open(behaviour: EndpointBehaviour): Promise<{ url: string; bind: (webhookId: string, secret: string) => void }> {
      let webhookId = '';
      const server = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const receivedAtMs = now();
          const rawBody = Buffer.concat(chunks);
          const secret = secrets.get(webhookId) ?? '';
          const verification = verifyWebhook({ rawBody, headers: request.headers, secret, nowSeconds: Date.now() / 1_000 });
          let payload: Record<string, unknown> | undefined;
          try {
            payload = JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>;
          } catch {
            payload = undefined;
          }
          const context = (payload?.context ?? {}) as { event_id?: unknown; retry_count?: unknown; workspace?: { id?: unknown } };
          const entity = (payload?.case ?? {}) as { id?: unknown; chaos_produced_at_ms?: unknown };
          const domainEventId = typeof entity.id === 'string' ? entity.id : undefined;
          const retryCount = typeof context.retry_count === 'number' ? context.retry_count : undefined;
          let status = 204;
          if (!verification.ok) status = 400;
          else if (behaviour === 'flaky' && domainEventId && flakyChooses(domainEventId) && (retryCount ?? 0) < FLAKY_FAILURES) status = 503;
          calls.push({
            webhookId,
            headerEventId: header(request.headers['dotfile-event-id']),
            bodyEventId: typeof context.event_id === 'string' ? context.event_id : undefined,
            domainEventId,
            workspaceId: typeof context.workspace?.id === 'string' ? context.workspace.id : undefined,
            retryCount,
            producedAtMs: typeof entity.chaos_produced_at_ms === 'number' ? entity.chaos_produced_at_ms : undefined,
            receivedAtMs,
            signatureValid: verification.ok,
            rejection: verification.ok ? undefined : verification.reason,
            status,
          });
          response.writeHead(status).end();
        });
      });
      // Longer than the sender's keep-alive, so the client always closes first.
      server.keepAliveTimeout = 30_000;
      server.headersTimeout = 60_000;
      server.requestTimeout = 0;
      const sockets = new Set<Socket>();
      server.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', 1_024, resolve));
      servers.push({ server, sockets });
      const { port } = server.address() as AddressInfo;
      return {
        url: `http://127.0.0.1:${port}/${behaviour}`,
        bind: (id, secret) => {
          webhookId = id;
          secrets.set(id, secret);
        },
      };
    },
    async close(): Promise<void> {
      await Promise.all(
        servers.map(({ server, sockets }) => {
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          for (const socket of sockets) socket.destroy();
          return closed;
        }),
      );
    },
  };
}

export type Receivers = ReturnType<typeof createReceivers>;
