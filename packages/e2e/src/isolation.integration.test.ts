import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EVENT_ID_HEADER } from '@hookstream/signing';
import { waitFor } from '@hookstream/testkit';
import { createHarness, type Harness } from './harness';
import { domainEvent } from './seed';
import { scrapeMetrics } from './services';

/**
 * Isolation, end to end: endpoints that accept calls and never answer must not hold back
 * the calls to healthy endpoints, and the sender's own backpressure on one endpoint must
 * never read as that endpoint failing.
 */

/** A real HTTP server on its own port (its own origin) that reads each call and never answers. */
async function startSilentEndpoint() {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server: Server = createServer((request) => {
    request.resume();
    request.on('end', () => (requests += 1));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests: () => requests,
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

type SilentEndpoint = Awaited<ReturnType<typeof startSilentEndpoint>>;

describe('isolation between endpoints', () => {
  describe('many endpoints that never answer', () => {
    let harness: Harness;
    const silent: SilentEndpoint[] = [];

    beforeAll(async () => {
      harness = await createHarness('isolation-silent', {
        env: {
          // A scaled-down sender: 120 calls in flight in all, 4 at a time per endpoint, 16
          // more waiting per endpoint. Ten silent endpoints could hold 200 between them.
          SENDER_MAX_IN_FLIGHT: '120',
          SENDER_MAX_CONCURRENT_PER_ENDPOINT: '4',
          SENDER_MAX_QUEUED_PER_ENDPOINT: '16',
          // Nothing times out during the test: the silent endpoints hold their calls throughout.
          WEBHOOK_TIMEOUT: '10m',
          WEBHOOK_CONNECT_TIMEOUT: '10s',
          SENDER_OVERLOAD_DEFER: '1s',
        },
      });
      for (let index = 0; index < 10; index += 1) silent.push(await startSilentEndpoint());
      await Promise.all([harness.start('router'), harness.start('sender')]);
    });

    afterAll(async () => {
      await harness?.close();
      await Promise.allSettled(silent.map((endpoint) => endpoint.close()));
    });

    it('sends first calls to healthy endpoints while ten endpoints hold every call they get', async () => {
      const workspace = await harness.seed.workspace('Isolation');
      for (const endpoint of silent) {
        await harness.seed.webhook({ workspaceId: workspace.id, url: endpoint.url, events: ['Case.Created'] });
      }
      const healthy = await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url('/healthy'), events: ['Case.Updated'] });
      await new Promise((resolve) => setTimeout(resolve, 600));

      // 30 events to each silent endpoint (300 calls), all in the workspace's partition
      // ahead of the healthy endpoint's calls.
      await harness.publish(Array.from({ length: 30 }, () => domainEvent({ type: 'Case.Created', workspace })));
      await waitFor(() => silent.every((endpoint) => endpoint.requests() >= 4), {
        description: 'every silent endpoint holding its four calls',
        timeoutMs: 60_000,
      });
      await harness.publish(Array.from({ length: 20 }, () => domainEvent({ type: 'Case.Updated', workspace })));

      await waitFor(() => harness.receiver.requestsTo('/healthy').length === 20, {
        description: 'the 20 calls to the healthy endpoint',
        timeoutMs: 60_000,
      });
      // The silent endpoints still hold their calls: nothing timed out to make room.
      expect(silent.every((endpoint) => endpoint.openSockets() === 4)).toBe(true);
      const healthyOutcomes = await waitFor(
        () => {
          const found = harness.outcomes.filter((outcome) => outcome.webhook_id === healthy.id);
          return found.length >= 20 ? found : undefined;
        },
        { description: 'the healthy outcomes' },
      );
      expect(healthyOutcomes.every((outcome) => outcome.result === 'succeeded' && outcome.type === 'first_call')).toBe(true);
      // No call to a silent endpoint was logged as failed: the ones beyond its share wait.
      expect(harness.outcomes.filter((outcome) => outcome.result === 'failed')).toEqual([]);
      const sender = harness.services.get('sender');
      if (!sender) throw new Error('the sender is not running');
      expect(await scrapeMetrics(sender)).toMatch(/hookstream_sender_overload_deferrals_total\{[^}]*\} [1-9]/);
    });
  });

  describe('an endpoint slower than its share of the sender', () => {
    let harness: Harness;
    let slow: Server;
    let slowUrl: string;
    const received: string[] = [];

    beforeAll(async () => {
      harness = await createHarness('isolation-overloaded', {
        env: {
          SENDER_MAX_CONCURRENT_PER_ENDPOINT: '2',
          SENDER_MAX_QUEUED_PER_ENDPOINT: '4',
          SENDER_OVERLOAD_DEFER: '1s',
          // Any failure would schedule its retry an hour later: none may happen.
          WEBHOOK_OFFLINE_THRESHOLD: '5',
        },
      });
      // Answers every call, each after 200 ms: about 10 calls per second at 2 at a time.
      slow = createServer((request, response) => {
        request.resume();
        request.on('end', () => {
          received.push(String(request.headers[EVENT_ID_HEADER.toLowerCase()]));
          setTimeout(() => response.writeHead(200).end('ok'), 200);
        });
      });
      await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
      slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/slow`;
      await Promise.all([harness.start('router'), harness.start('sender'), harness.start('health')]);
    });

    afterAll(async () => {
      await harness?.close();
      slow?.closeAllConnections();
      await new Promise<void>((resolve) => (slow ? slow.close(() => resolve()) : resolve()));
    });

    it('logs none of the calls beyond its share as failed, and delivers every one of them', async () => {
      const workspace = await harness.seed.workspace('Overloaded');
      const webhook = await harness.seed.webhook({ workspaceId: workspace.id, url: slowUrl, events: ['Note.Created'] });
      await new Promise((resolve) => setTimeout(resolve, 600));

      await harness.publish(Array.from({ length: 60 }, () => domainEvent({ type: 'Note.Created', workspace, context: { case: { id: 'c' } } })));
      const succeeded = await waitFor(
        () => {
          const found = new Set(harness.outcomes.filter((outcome) => outcome.webhook_id === webhook.id && outcome.result === 'succeeded').map((outcome) => outcome.event_id));
          return found.size === 60 ? found : undefined;
        },
        { description: 'all 60 calls delivered', timeoutMs: 90_000 },
      );
      expect([...succeeded].sort()).toEqual([...new Set(received)].sort());
      expect(harness.outcomes.filter((outcome) => outcome.webhook_id === webhook.id && outcome.result !== 'succeeded')).toEqual([]);
      expect(harness.outcomes.filter((outcome) => outcome.webhook_id === webhook.id).every((outcome) => outcome.type === 'first_call')).toBe(true);
      // The offline rule saw no failure, and the webhook stays online.
      const [failures] = await harness.database.knex('webhook_failures').where({ webhook_id: webhook.id }).count({ count: '*' });
      expect(Number(failures?.count)).toBe(0);
      const row = await harness.database.knex('webhooks').select('status').where({ id: webhook.id }).first();
      expect(row.status).toBe('online');
      // The call log shows every call succeeded.
      await waitFor(
        async () => {
          const [calls] = await harness.database.knex('calls').where({ webhook_id: webhook.id, status: 'succeeded' }).count({ count: '*' });
          return Number(calls?.count) === 60;
        },
        { description: 'the call log to show 60 succeeded calls' },
      );
    });
  });
});
