import type { WebhookState } from '@hookstream/db';
import type { DeliveryMessage } from '@hookstream/messages';
import type { Logger } from '@hookstream/observability';
import type { AttemptOptions } from '../delivery/execute-delivery';
import type { DeliveryResult } from '../delivery/steps';
import type { SenderMetrics } from '../metrics';
import type { ParkedRetry, ParkedRetryDal } from './parked-retry-dal';
import { isProbing, probeResultLabel, probeVerdict, releasePace } from './paused-retry-rules';

export interface PausedRetrySettings {
  /** The time between two probes of a paused webhook. */
  probeIntervalMs: number;
  /** Parked retries released per second and webhook once a probe succeeded. */
  resumeRatePerSecond: number;
  /** How often the parked retries are looked at. */
  checkIntervalMs: number;
  /** How long a retry taken out stays this instance's (longer than any attempt takes). */
  leaseMs: number;
}

export interface PausedRetryReleaserDependencies {
  parked: Omit<ParkedRetryDal, 'park'>;
  webhookOf: (webhookId: string) => Pick<WebhookState, 'promoted' | 'retryState' | 'status' | 'deleted'> | undefined;
  /** One attempt of a released retry (executeDelivery with `released`). */
  execute: (delivery: DeliveryMessage, options: AttemptOptions) => Promise<DeliveryResult>;
  settings: PausedRetrySettings;
  metrics: Pick<SenderMetrics, 'pausedRetries' | 'retryProbes' | 'retryResumes' | 'pausedRetriesReleased'>;
  logger: Pick<Logger, 'info' | 'warn'>;
}

/** A probe tries at most this many parked retries that turn out not to be needed any more. */
const MAX_PROBE_CANDIDATES = 20;

/**
 * Takes parked retries out again (docs/webhooks.md "Promoted webhooks"). Every check:
 * - a paused webhook gets one probe per probe interval: its oldest parked retry, sent
 *   alone. A 2xx resumes the webhook;
 * - any other webhook with parked retries (resuming after a probe, or no longer paused
 *   for another reason) gets them back oldest first, at the resume rate;
 * - a resuming webhook with none left is back to normal.
 * A retry leaves `parked_retries` only once its outcome is durable (sent, or given up
 * under the usual rules); if the database failed, it goes back, first in line.
 */
export function createPausedRetryReleaser(dependencies: PausedRetryReleaserDependencies) {
  const { parked, settings, metrics, logger } = dependencies;
  const pace = releasePace(settings.resumeRatePerSecond, settings.checkIntervalMs);
  const inFlight = new Set<Promise<unknown>>();
  const probing = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let checking: Promise<void> | undefined;
  let stopped = false;

  const track = (work: Promise<unknown>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  /** One attempt of a retry taken out, and its row settled. */
  const attempt = async (retry: ParkedRetry): Promise<DeliveryResult> => {
    let result: DeliveryResult;
    try {
      result = await dependencies.execute(retry.delivery, { released: true });
    } catch (error) {
      result = { kind: 'retry_later', reason: 'unexpected', error };
    }
    try {
      if (result.kind === 'retry_later' || result.kind === 'parked') await parked.giveBack(retry);
      else await parked.remove(retry);
    } catch (error) {
      // Its lease runs out and it is taken again; the call state then tells that it was sent.
      logger.warn({ err: error, eventId: retry.eventId, retryCount: retry.retryCount }, 'settling a parked retry failed; it is taken again after its lease');
    }
    return result;
  };

  const probe = async (webhookId: string) => {
    for (let candidate = 0; candidate < MAX_PROBE_CANDIDATES && !stopped; candidate += 1) {
      const [retry] = await parked.takeOldest(webhookId, 1, settings.leaseMs);
      if (!retry) return;
      const result = await attempt(retry);
      metrics.retryProbes.inc({ result: probeResultLabel(result) });
      const verdict = probeVerdict(result);
      if (verdict === 'resume') {
        if (await parked.resume(webhookId)) {
          metrics.retryResumes.inc();
          logger.info({ webhookId, eventId: retry.eventId }, 'probe succeeded: the paused retries resume');
        }
        return;
      }
      if (verdict !== 'next_candidate') return;
    }
  };

  const release = async (webhookId: string) => {
    const retries = await parked.takeOldest(webhookId, pace.batch, settings.leaseMs);
    // Started oldest first; the rate bounds how many start, not how long each takes.
    for (const retry of retries) {
      metrics.pausedRetriesReleased.inc();
      track(attempt(retry));
    }
  };

  const check = async () => {
    const counts = await parked.countsByWebhook();
    metrics.pausedRetries.set(counts.reduce((sum, webhook) => sum + webhook.parked, 0));
    for (const webhookId of await parked.finishResuming()) logger.info({ webhookId }, 'paused retries all released: retries back to normal');
    for (const { webhookId, ready } of counts) {
      if (stopped) return;
      if (ready === 0 || probing.has(webhookId)) continue;
      if (isProbing(dependencies.webhookOf(webhookId))) {
        if (!(await parked.claimProbe(webhookId, settings.probeIntervalMs))) continue;
        probing.add(webhookId);
        track(
          probe(webhookId)
            .catch((error: unknown) => logger.warn({ err: error, webhookId }, 'probing a paused webhook failed; it is probed again at the next interval'))
            .finally(() => probing.delete(webhookId)),
        );
      } else if (await parked.claimRelease(webhookId, pace.spacingMs)) {
        await release(webhookId);
      }
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      checking = check()
        .catch((error: unknown) => logger.warn({ err: error }, 'checking parked retries failed; trying again'))
        .finally(() => {
          checking = undefined;
          schedule();
        });
    }, settings.checkIntervalMs);
    timer.unref();
  };

  return {
    start: schedule,
    /** Stops taking retries out (idempotent). */
    stop(): void {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    /** Waits for the retries already taken out to be settled. */
    async drain(): Promise<void> {
      await checking;
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    /** For tests: one check now. */
    checkNow: check,
  };
}
