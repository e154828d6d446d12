/**
 * The webhook receiver, in a process of its own so that its CPU shows apart from the
 * bench's producer and the services: HTTP servers on 127.0.0.1 with keep-alive, one per
 * listener (one origin per webhook, as distinct customers have), and TCP servers that
 * never answer for dead endpoints. Every 100 ms it reports to the bench what it received.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { readBenchCall } from '../load/domain-event';
import type { CallRecord, FromReceiver, ListenerSpec, RunReport, ToReceiver } from './protocol';

const send = (message: FromReceiver) => process.send?.(message);
const now = () => performance.timeOrigin + performance.now();

let runs: Record<string, RunReport> = {};
let calls: CallRecord[] = [];
const listeners = new Map<string, { behaviour: ListenerSpec['behaviour']; server: Server | TcpServer; sockets: Set<Socket> }>();

function runReport(run: string): RunReport {
  let report = runs[run];
  if (!report) {
    report = { sentAtMs: [], receivedAtMs: [], otherCalls: 0 };
    runs[run] = report;
  }
  return report;
}

function httpListener(spec: ListenerSpec): Server {
  const status = spec.behaviour === 'ok' ? 200 : 500;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const receivedAtMs = now();
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      const call = readBenchCall(body);
      const run = call.run ?? '(other)';
      if (spec.behaviour === 'ok') {
        const report = runReport(run);
        if (call.retryCount === 0 && call.sentAtMs !== undefined) {
          report.sentAtMs.push(call.sentAtMs);
          report.receivedAtMs.push(receivedAtMs);
        } else {
          report.otherCalls += 1;
        }
      } else if (call.eventId !== undefined && call.retryCount !== undefined) {
        calls.push({ label: spec.label, run, eventId: call.eventId, retryCount: call.retryCount, receivedAtMs });
      }
      response.writeHead(status, { 'content-type': 'text/plain', 'content-length': '2' }).end(status === 200 ? 'ok' : 'no');
    });
  });
  // Longer than the sender's keep-alive (10 s), so the client always closes first.
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 60_000;
  server.requestTimeout = 0;
  return server;
}

function hangingListener(sockets: Set<Socket>): TcpServer {
  return createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined); // read and ignore: the request is accepted, never answered
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
}

async function open(specs: ListenerSpec[]): Promise<number[]> {
  const ports: number[] = [];
  for (const spec of specs) {
    const sockets = new Set<Socket>();
    const server = spec.behaviour === 'hang' ? hangingListener(sockets) : httpListener(spec);
    if (spec.behaviour !== 'hang') {
      server.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
    }
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', 1_024, resolve));
    listeners.set(spec.label, { behaviour: spec.behaviour, server, sockets });
    ports.push((server.address() as AddressInfo).port);
  }
  return ports;
}

async function close(labels: string[]): Promise<void> {
  await Promise.all(
    labels.map(async (label) => {
      const listener = listeners.get(label);
      if (!listener) return;
      listeners.delete(label);
      const closed = new Promise<void>((resolve) => listener.server.close(() => resolve()));
      for (const socket of listener.sockets) socket.destroy();
      await closed;
    }),
  );
}

process.on('message', (message: ToReceiver) => {
  if (message.type === 'open') {
    void open(message.listeners).then((ports) => send({ type: 'opened', requestId: message.requestId, ports }));
  } else if (message.type === 'close') {
    void close(message.labels).then(() => send({ type: 'closed', requestId: message.requestId }));
  }
});

const reporter = setInterval(() => {
  let hangingConnections = 0;
  for (const listener of listeners.values()) if (listener.behaviour === 'hang') hangingConnections += listener.sockets.size;
  if (Object.keys(runs).length === 0 && calls.length === 0 && hangingConnections === 0) return;
  send({ type: 'report', runs, calls, hangingConnections });
  runs = {};
  calls = [];
}, 100);

// The bench going away (even killed) closes the channel: stop with it.
process.on('disconnect', () => {
  clearInterval(reporter);
  process.exit(0);
});

send({ type: 'ready' });
