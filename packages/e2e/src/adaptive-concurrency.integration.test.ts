import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EVENT_ID_HEADER } from '@hookstream/signing';
import { waitFor } from '@hookstream/testkit';
import { createHarness, type Harness } from './harness';
import { domainEvent } from './seed';
import { scrapeMetrics } from './services';

/**
 * Adaptive concurrency per endpoint origin, end to end: a receiver that slows down sharply
 * once it has more calls than it can work on is served without timeouts, and a receiver that
 * answers 429 with Retry-After gets no new call until it has passed.
 */

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

async function close(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * A receiver with `workers` workers, each taking `serviceMs` per call. Calls beyond them
 * wait in its queue, and while calls wait it thrashes: a call a worker picks up while
 * others are still waiting takes `thrashFactor` times as long. A call whose caller gave up
 * leaves the queue.
 */
function thrashingReceiver(options: { workers: number; serviceMs: number; thrashFactor: number }) {
  interface Job {
    response: ServerResponse;
    eventId: string;
    gone: boolean;
  }
  const queue: Job[] = [];
  const answered = new Set<string>();
  const stats = { busy: 0, served: 0, thrashed: 0, maxInSystem: 0, firstAt: 0, lastAt: 0 };
  const inSystem = () => stats.busy + queue.length;
  const pump = () => {
    while (stats.busy < options.workers && queue.length > 0) {
      const job = queue.shift() as Job;
      if (job.gone) continue;
      stats.busy += 1;
      const thrashing = queue.some((waiting) => !waiting.gone);
      if (thrashing) stats.thrashed += 1;
      setTimeout(
        () => {
          stats.busy -= 1;
          stats.served += 1;
          stats.lastAt = Date.now();
          answered.add(job.eventId);
          job.response.writeHead(200).end('ok');
          pump();
        },
        thrashing ? options.serviceMs * options.thrashFactor : options.serviceMs,
      );
    }
  };
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (stats.firstAt === 0) stats.firstAt = Date.now();
      const job: Job = { response, eventId: String(request.headers[EVENT_ID_HEADER.toLowerCase()]), gone: false };
      response.on('close', () => {
        if (!response.writableEnded) job.gone = true;
      });
      queue.push(job);
      stats.maxInSystem = Math.max(stats.maxInSystem, inSystem());
      pump();
    });
  });
  return { server, stats, answered };
}

async function metricValue(harness: Harness, pattern: RegExp): Promise<number> {
  const sender = harness.services.get('sender');
  if (!sender) throw new Error('the sender is not running');
  const match = (await scrapeMetrics(sender)).match(pattern);
  return match ? Number(match[1]) : 0;
}

describe('adaptive concurrency per endpoint', () => {
  describe('a receiver that slows down sharply above 50 concurrent calls', () => {
    const WORKERS = 50;
    const SERVICE_MS = 200;
    const EVENTS = 3_000;
    let harness: Harness;
    let receiver: ReturnType<typeof thrashingReceiver>;
    let url: string;

    beforeAll(async () => {
      harness = await createHarness('adaptive-slowdown', {
        env: {
          // A fixed 300 would keep 250 calls queued at the receiver: each then waits about
          // 250 / (50 per second while thrashing) = 5 s, past the 4 s timeout.
          SENDER_MAX_CONCURRENT_PER_ENDPOINT: '300',
          WEBHOOK_TIMEOUT: '4s',
          SENDER_OVERLOAD_DEFER: '1s',
        },
      });
      receiver = thrashingReceiver({ workers: WORKERS, serviceMs: SERVICE_MS, thrashFactor: 5 });
      url = await listen(receiver.server);
      await Promise.all([harness.start('router'), harness.start('sender')]);
    });

    afterAll(async () => {
      await harness?.close();
      await close(receiver?.server);
    });

    it('delivers every call without a timeout, the receiver rarely over its capacity', async () => {
      const workspace = await harness.seed.workspace('Slowdown');
      const webhook = await harness.seed.webhook({ workspaceId: workspace.id, url, events: ['Case.Created'] });
      await new Promise((resolve) => setTimeout(resolve, 600));

      await harness.publish(Array.from({ length: EVENTS }, () => domainEvent({ type: 'Case.Created', workspace })));
      const succeeded = await waitFor(
        () => {
          const found = new Set(harness.outcomes.filter((outcome) => outcome.webhook_id === webhook.id && outcome.result === 'succeeded').map((outcome) => outcome.event_id));
          return found.size === EVENTS || harness.outcomes.some((outcome) => outcome.result === 'failed') ? found : undefined;
        },
        { description: `all ${EVENTS} calls delivered`, timeoutMs: 240_000 },
      );
      // No attempt failed: no call timed out.
      expect(harness.outcomes.filter((outcome) => outcome.result !== 'succeeded').map((outcome) => outcome.failure_kind)).toEqual([]);
      expect(succeeded.size).toBe(EVENTS);
      const { stats } = receiver;
      const seconds = (stats.lastAt - stats.firstAt) / 1_000;
      const decreases = await metricValue(harness, /hookstream_sender_endpoint_limit_changes_total\{[^}]*direction="decrease"[^}]*\} (\d+)/);
      const increases = await metricValue(harness, /hookstream_sender_endpoint_limit_changes_total\{[^}]*direction="increase"[^}]*\} (\d+)/);
      // The figures for docs/benchmarks.md.
      console.info(
        `slowdown receiver: ${stats.served} calls in ${seconds.toFixed(1)} s = ${(stats.served / seconds).toFixed(0)}/s ` +
          `(best ${(WORKERS * 1_000) / SERVICE_MS}/s); picked up while thrashing: ${stats.thrashed}; ` +
          `most in the receiver at once: ${stats.maxInSystem}; limit increases ${increases}, decreases ${decreases}`,
      );
      const limitSum = await metricValue(harness, /hookstream_sender_endpoint_limit_sum(?:\{[^}]*\})? ([\d.]+)/);
      const limitCount = await metricValue(harness, /hookstream_sender_endpoint_limit_count(?:\{[^}]*\})? (\d+)/);
      console.info(`slowdown receiver: mean limit over its changes ${(limitSum / Math.max(1, limitCount)).toFixed(1)}`);
      // The limit found the receiver's capacity: it grew, and it came down after passing it.
      expect(increases).toBeGreaterThan(0);
      expect(decreases).toBeGreaterThan(0);
      // Most calls were served while the receiver was within its capacity.
      expect(stats.thrashed).toBeLessThan(stats.served / 4);
    });
  });

  describe('a receiver that answers 429 with Retry-After: 2', () => {
    const EVENTS = 150;
    const MAX_CONCURRENT = 4;
    let harness: Harness;
    let server: Server;
    let url: string;
    const arrivals: Array<{ at: number; eventId: string }> = [];
    let refused: { at: number; eventId: string } | undefined;

    beforeAll(async () => {
      harness = await createHarness('adaptive-retry-after', {
        env: { SENDER_MAX_CONCURRENT_PER_ENDPOINT: String(MAX_CONCURRENT), SENDER_OVERLOAD_DEFER: '1s' },
      });
      // Answers each call after 20 ms; the 30th at once with 429 and Retry-After: 2.
      server = createServer((request, response) => {
        request.resume();
        request.on('end', () => {
          const arrival = { at: Date.now(), eventId: String(request.headers[EVENT_ID_HEADER.toLowerCase()]) };
          arrivals.push(arrival);
          if (arrivals.length === 30) {
            refused = arrival;
            response.writeHead(429, { 'retry-after': '2' }).end('slow down');
            return;
          }
          setTimeout(() => response.writeHead(200).end('ok'), 20);
        });
      });
      url = await listen(server);
      await Promise.all([harness.start('router'), harness.start('sender')]);
    });

    afterAll(async () => {
      await harness?.close();
      await close(server);
    });

    it('gets no new call for 2 s, and no other call fails because of it', async () => {
      const workspace = await harness.seed.workspace('RetryAfter');
      const webhook = await harness.seed.webhook({ workspaceId: workspace.id, url, events: ['Case.Created'] });
      await new Promise((resolve) => setTimeout(resolve, 600));

      await harness.publish(Array.from({ length: EVENTS }, () => domainEvent({ type: 'Case.Created', workspace })));
      await waitFor(
        () => new Set(harness.outcomes.filter((outcome) => outcome.webhook_id === webhook.id && outcome.result === 'succeeded').map((outcome) => outcome.event_id)).size === EVENTS - 1,
        { description: `the other ${EVENTS - 1} calls delivered`, timeoutMs: 120_000 },
      );
      if (!refused) throw new Error('the receiver never answered 429');
      const refusedAt = refused.at;
      // The answered call itself is a failed attempt, as any 429 (its retry follows the schedule).
      expect(harness.outcomes.filter((outcome) => outcome.webhook_id === webhook.id && outcome.result !== 'succeeded')).toEqual([
        expect.objectContaining({ event_id: refused.eventId, result: 'failed', status_code: 429, type: 'first_call' }),
      ]);
      // Within the 2 s, only calls already on their way when the 429 was answered arrived (the
      // other slots of the origin): none was sent after the sender read it.
      const during = arrivals.filter((arrival) => arrival.at > refusedAt && arrival.at < refusedAt + 2_000);
      expect(during.length).toBeLessThanOrEqual(MAX_CONCURRENT - 1);
      // Calls were waiting: they came once the 2 s had passed.
      expect(arrivals.filter((arrival) => arrival.at >= refusedAt + 2_000).length).toBeGreaterThan(0);
      expect(await metricValue(harness, /hookstream_sender_overload_deferrals_total\{[^}]*reason="retry_after"[^}]*\} (\d+)/)).toBeGreaterThan(0);
      expect(await metricValue(harness, /hookstream_sender_retry_after_pauses_total(?:\{[^}]*\})? (\d+)/)).toBe(1);
      const after = arrivals.filter((arrival) => arrival.at >= refusedAt + 2_000);
      console.info(
        `retry-after receiver: arrivals within the 2 s after the 429: ${during.length}; first arrival after it: +${((after[0]?.at ?? 0) - refusedAt)} ms; ` +
          `calls after it: ${after.length}`,
      );
    });
  });
});
