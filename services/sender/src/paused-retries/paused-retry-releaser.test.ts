import type { RetryState } from '@hookstream/db';
import type { DeliveryMessage } from '@hookstream/messages';
import { Registry } from '@hookstream/observability';
import type { DeliveryResult } from '../delivery/steps';
import { createSenderMetrics } from '../metrics';
import type { ParkedRetry } from './parked-retry-dal';
import { createPausedRetryReleaser, type PausedRetryReleaserDependencies } from './paused-retry-releaser';

const WEBHOOK = '00000000-0000-4000-8000-00000000000a';

function parkedRetry(index: number): ParkedRetry {
  const eventId = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
  const dueAt = new Date(Date.parse('2026-12-06T10:00:00.000Z') + index * 1_000);
  return {
    eventId,
    retryCount: 1,
    webhookId: WEBHOOK,
    dueAt,
    parkedAt: dueAt,
    delivery: { event_id: eventId, retry_count: 1, type: 'automatic_retry' } as DeliveryMessage,
  };
}

/**
 * The releaser over an in-memory stand-in of the table and of the claims the database
 * makes (probe due or not, release slot open or not): what it takes out, in which order,
 * and what it settles.
 */
function setUp(options: { retryState: RetryState; parked: number; answers: DeliveryResult[] }) {
  const state = { retryState: options.retryState, probeDue: true, releaseOpen: true };
  const table = Array.from({ length: options.parked }, (_, index) => parkedRetry(index + 1));
  const held = new Set<string>();
  const sent: string[] = [];
  const removed: string[] = [];
  const givenBack: string[] = [];
  const answers = [...options.answers];
  const metrics = createSenderMetrics(new Registry());
  const dependencies: PausedRetryReleaserDependencies = {
    parked: {
      countsByWebhook: async () => (table.length === 0 ? [] : [{ webhookId: WEBHOOK, parked: table.length, ready: table.filter((retry) => !held.has(retry.eventId)).length }]),
      finishResuming: async () => [],
      claimProbe: async () => state.retryState === 'paused' && state.probeDue,
      claimRelease: async () => state.retryState !== 'paused' && state.releaseOpen,
      takeOldest: async (_webhookId, limit) => {
        const taken = table.filter((retry) => !held.has(retry.eventId)).slice(0, limit);
        for (const retry of taken) held.add(retry.eventId);
        return taken;
      },
      remove: async (retry) => {
        removed.push(retry.eventId);
        table.splice(table.findIndex((candidate) => candidate.eventId === retry.eventId), 1);
        held.delete(retry.eventId);
      },
      giveBack: async (retry) => {
        givenBack.push(retry.eventId);
        held.delete(retry.eventId);
      },
      resume: async () => {
        if (state.retryState !== 'paused') return false;
        state.retryState = 'resuming';
        return true;
      },
    },
    webhookOf: () => ({ promoted: true, retryState: state.retryState, status: 'online', deleted: false }),
    execute: async (delivery, options) => {
      expect(options).toEqual({ released: true });
      sent.push(delivery.event_id);
      return answers.shift() ?? { kind: 'done', succeeded: true };
    },
    settings: { probeIntervalMs: 60_000, resumeRatePerSecond: 10, checkIntervalMs: 200, leaseMs: 120_000 },
    metrics,
    logger: { info: () => undefined, warn: () => undefined },
  };
  const releaser = createPausedRetryReleaser(dependencies);
  const counter = async (metric: { get(): Promise<{ values: Array<{ value: number; labels: Record<string, unknown> }> }> }, label?: string) =>
    (await metric.get()).values.filter((value) => label === undefined || value.labels.result === label).reduce((sum, value) => sum + value.value, 0);
  return { releaser, state, table, sent, removed, givenBack, metrics, counter };
}

const idOf = (index: number) => parkedRetry(index).eventId;

describe('the paused retry releaser', () => {
  it('sends one probe, the oldest, per claimed interval; a failed probe leaves the webhook paused', async () => {
    const setup = setUp({ retryState: 'paused', parked: 3, answers: [{ kind: 'done', succeeded: false }] });
    await setup.releaser.checkNow();
    await setup.releaser.drain();
    expect(setup.sent).toEqual([idOf(1)]);
    // Its attempt is durable (an ordinary failure, whose successor is scheduled): it leaves the table.
    expect(setup.removed).toEqual([idOf(1)]);
    expect(setup.state.retryState).toBe('paused');

    setup.state.probeDue = false;
    await setup.releaser.checkNow();
    await setup.releaser.drain();
    expect(setup.sent).toEqual([idOf(1)]);
    expect(await setup.counter(setup.metrics.retryProbes, 'failed')).toBe(1);
    expect(await setup.counter(setup.metrics.pausedRetries)).toBe(2);
  });

  it('resumes after a probe succeeds, then releases the rest oldest first, a batch per open slot', async () => {
    const setup = setUp({ retryState: 'paused', parked: 5, answers: [] });
    await setup.releaser.checkNow();
    await setup.releaser.drain();
    expect(setup.sent).toEqual([idOf(1)]);
    expect(setup.state.retryState).toBe('resuming');
    expect(await setup.counter(setup.metrics.retryResumes)).toBe(1);

    // 10/s checked every 200 ms: 2 per slot.
    await setup.releaser.checkNow();
    await setup.releaser.drain();
    expect(setup.sent).toEqual([idOf(1), idOf(2), idOf(3)]);
    setup.state.releaseOpen = false;
    await setup.releaser.checkNow();
    await setup.releaser.drain();
    expect(setup.sent).toHaveLength(3);
    setup.state.releaseOpen = true;
    await setup.releaser.checkNow();
    await setup.releaser.drain();
    expect(setup.sent).toEqual([idOf(1), idOf(2), idOf(3), idOf(4), idOf(5)]);
    expect(setup.table).toEqual([]);
    expect(await setup.counter(setup.metrics.pausedRetriesReleased)).toBe(4);
  });

  it('skips, as a probe, retries the calls no longer need, and probes with the next oldest', async () => {
    const setup = setUp({
      retryState: 'paused',
      parked: 3,
      answers: [{ kind: 'gave_up', reason: 'already_succeeded' }, { kind: 'done', succeeded: false }],
    });
    await setup.releaser.checkNow();
    await setup.releaser.drain();
    expect(setup.sent).toEqual([idOf(1), idOf(2)]);
    expect(setup.removed).toEqual([idOf(1), idOf(2)]);
    expect(await setup.counter(setup.metrics.retryProbes, 'not_needed')).toBe(1);
  });

  it('gives a retry back, first in line, when the database fails during its attempt, and nothing is lost', async () => {
    const setup = setUp({ retryState: 'resuming', parked: 2, answers: [{ kind: 'retry_later', reason: 'database', error: new Error('down') }] });
    await setup.releaser.checkNow();
    await setup.releaser.drain();
    expect(setup.givenBack).toEqual([idOf(1)]);
    expect(setup.removed).toEqual([idOf(2)]);
    await setup.releaser.checkNow();
    await setup.releaser.drain();
    expect(setup.sent).toEqual([idOf(1), idOf(2), idOf(1)]);
    expect(setup.table).toEqual([]);
  });

  it('takes nothing out once stopped', async () => {
    const setup = setUp({ retryState: 'resuming', parked: 2, answers: [] });
    setup.releaser.stop();
    await setup.releaser.checkNow();
    await setup.releaser.drain();
    expect(setup.sent).toEqual([]);
  });
});
