import type { Producer } from '@hookstream/kafka';
import { parseDurationListMs } from '@hookstream/config';
import { createEventSender, offerFixedRate } from '../load/offered-load';
import { summarizeLatencies, type LatencySummary } from '../stats/percentiles';
import { offlineEnforcement, retryLateness } from '../stats/retry-timing';
import { startScenario, type BenchContext } from '../stack/scenario-stack';

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetriesResult {
  schedule: string;
  events: number;
  lateness: LatencySummary;
  /** Lateness below this is the receiver seeing T0 a moment after the sender took it. */
  earlyByMoreThan50Ms: number;
  missingRetries: number;
  /** Retries that never reached the receiver, by retry number (1..n). */
  missingByRetryNumber: number[];
  /** First calls that never reached the receiver. */
  missingFirstCalls: number;
}

export interface OfflineResult {
  threshold: number;
  offlineReached: boolean;
  failuresSeen: number;
  delayMs: number | undefined;
  callsAfterOffline: number | undefined;
  lastCallAfterOfflineMs: number | undefined;
  /** Why the figure is missing, when it is. */
  problem?: string;
}

/**
 * Retry lateness and offline enforcement, with a compressed schedule so that retries fall
 * due within seconds. Endpoints answer 500 at once. Retry webhooks get few enough events
 * that none reaches the offline threshold; one separate webhook is driven past it.
 */
export async function measureRetriesAndOffline(
  context: BenchContext,
  options: {
    schedule: string;
    retryWorkspaces: number;
    retryEventsPerWebhook: number;
    offlineThreshold: number;
    sizeBytes: number;
    producer: Producer;
  },
): Promise<{ retries: RetriesResult; offline: OfflineResult; serviceErrors: Record<string, Array<{ message: string; count: number }>> }> {
  const { receiver, log } = context;
  const scheduleMs = parseDurationListMs(options.schedule) ?? [];
  const label = 'retries';
  const stack = await startScenario(context, {
    label,
    workspaces: [...Array.from({ length: options.retryWorkspaces }, () => ['fail' as const]), ['fail' as const]],
    services: ['router', 'sender', 'health'],
    serviceEnv: { WEBHOOK_RETRY_SCHEDULE: options.schedule, WEBHOOK_OFFLINE_THRESHOLD: String(options.offlineThreshold) },
  });
  try {
    const retryWorkspaces = stack.workspaces.slice(0, options.retryWorkspaces);
    const offlineWorkspace = stack.workspaces[options.retryWorkspaces];
    const offlineWebhook = offlineWorkspace?.webhooks[0];
    if (!offlineWorkspace || !offlineWebhook) throw new Error('the offline webhook was not seeded');

    // Retries: a few events per webhook, spread over a few seconds.
    const plannedEvents = options.retryWorkspaces * options.retryEventsPerWebhook;
    const lastOffset = scheduleMs[scheduleMs.length - 1] ?? 0;
    log(`retries: ${plannedEvents} events to ${options.retryWorkspaces} webhooks answering 500, schedule ${options.schedule}`);
    const retrySend = createEventSender({ producer: options.producer, topic: stack.topics.domainEvents, workspaces: retryWorkspaces, run: 'retries', sizeBytes: options.sizeBytes });
    const { produced: events } = await offerFixedRate({ send: retrySend, eventsPerSecond: plannedEvents / 8, durationMs: 8_000 });
    const retryPrefix = `${label}/`;
    const expectedCalls = events * (scheduleMs.length + 1);
    const retryDeadline = now() + lastOffset + 20_000;
    const retryCalls = () => receiver.failingCalls(retryPrefix).filter((call) => call.run === 'retries');
    while (retryCalls().length < expectedCalls && now() < retryDeadline) await sleep(200);
    const lateness = retryLateness(retryCalls(), scheduleMs);

    // Offline: keep failing one webhook until it is set offline, and a little longer.
    log(`offline: driving one webhook past ${options.offlineThreshold} failures`);
    const offlineSend = createEventSender({ producer: options.producer, topic: stack.topics.domainEvents, workspaces: [offlineWorkspace], run: 'offline', sizeBytes: options.sizeBytes });
    let offlineSeenAtMs: number | undefined;
    const watchDeadline = now() + 30_000;
    const watching = (async () => {
      while (offlineSeenAtMs === undefined && now() < watchDeadline) {
        const status = await stack.webhookStatus(offlineWebhook.id);
        if (status === 'offline') offlineSeenAtMs = now();
        else await sleep(20);
      }
    })();
    const producing = (async () => {
      // 20 events/s until 5 s after offline (new events then no longer reach the endpoint).
      while (now() < watchDeadline && (offlineSeenAtMs === undefined || now() < offlineSeenAtMs + 5_000)) {
        await offerFixedRate({ send: offlineSend, eventsPerSecond: 20, durationMs: 1_000 });
      }
    })();
    await Promise.all([watching, producing]);
    await sleep(lastOffset + 1_000); // retries due after offline would show up by now
    const offlineCalls = receiver.failingCalls(offlineWebhook.label).map((call) => call.receivedAtMs);
    const enforcement = offlineEnforcement({ failedCallTimesMs: offlineCalls, threshold: options.offlineThreshold, offlineSeenAtMs });

    const summary = summarizeLatencies(lateness.latenessMs);
    const serviceErrors = stack.serviceErrors();
    return {
      serviceErrors,
      retries: {
        schedule: options.schedule,
        events,
        lateness: summary,
        earlyByMoreThan50Ms: lateness.latenessMs.filter((value) => value < -50).length,
        missingRetries: lateness.missing,
        missingByRetryNumber: lateness.missingByRetryNumber,
        missingFirstCalls: events - lateness.calls,
      },
      offline: {
        threshold: options.offlineThreshold,
        offlineReached: offlineSeenAtMs !== undefined,
        failuresSeen: offlineCalls.length,
        delayMs: enforcement.delayMs,
        callsAfterOffline: enforcement.callsAfterOffline,
        lastCallAfterOfflineMs: enforcement.lastCallAfterOfflineMs,
        ...(offlineSeenAtMs === undefined
          ? { problem: `the webhook was not set offline within 30 s after ${offlineCalls.length} failed calls (is the health service applying the offline rule?)` }
          : {}),
      },
    };
  } finally {
    await stack.stop();
  }
}
