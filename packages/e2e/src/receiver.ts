import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  body: Record<string, unknown>;
  receivedAt: number;
}

export type Behaviour =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'redirect'; location: string }
  | { kind: 'hang' }
  /** Answers with each status in turn, then repeats the last one. */
  | { kind: 'sequence'; statuses: number[] };

/**
 * A webhook receiver: a real HTTP server on 127.0.0.1 that records every request, raw
 * bytes included, and answers per path as told (status, redirect, or never).
 */
export async function startReceiver() {
  const requests: ReceivedRequest[] = [];
  const behaviours = new Map<string, Behaviour>();
  const hanging = new Set<ServerResponse>();
  const sequencePositions = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>;
      } catch {
        // recorded as received
      }
      const path = request.url ?? '/';
      requests.push({ path, headers: request.headers, rawBody, body, receivedAt: Date.now() });
      const behaviour = behaviours.get(path) ?? { kind: 'status', status: 200 };
      if (behaviour.kind === 'hang') {
        hanging.add(response);
        return;
      }
      if (behaviour.kind === 'redirect') {
        response.writeHead(302, { location: behaviour.location }).end();
        return;
      }
      if (behaviour.kind === 'sequence') {
        const position = sequencePositions.get(path) ?? 0;
        sequencePositions.set(path, position + 1);
        const status = behaviour.statuses[Math.min(position, behaviour.statuses.length - 1)] ?? 200;
        response.writeHead(status, { 'content-type': 'text/plain' }).end(String(status));
        return;
      }
      response.writeHead(behaviour.status, { 'content-type': 'text/plain' }).end(behaviour.body ?? 'ok');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    requests,
    requestsTo: (path: string) => requests.filter((request) => request.path === path),
    behave: (path: string, behaviour: Behaviour) => void behaviours.set(path, behaviour),
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
