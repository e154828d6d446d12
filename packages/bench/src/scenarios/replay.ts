import type { Producer } from '@hookstream/kafka';
import { createEventSender } from '../load/offered-load';
import { replayFigures, type ReplayFigures } from '../stats/replay-figures';
import type { BenchContext, ScenarioStack } from '../stack/scenario-stack';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Events published per send while building the history (chunked further by the sender). */
const HISTORY_CHUNK = 1_000;

/**
 * The `replay` run's set-up, as hooks of a fixed-rate latency run: before the load, `events`
 * domain events for the first workspace (delivered live to its webhook, which answers 200,
 * and waited for), then, when `replay` is set, a replay of that whole range for that
 * webhook, recorded as the API records it (a `replays` row the router takes). After the
 * load, the replay's progress as its row tells it.
 */
export function replayHooks(
  context: BenchContext,
  options: { events: number; sizeBytes: number; producer: Producer; replay: boolean; configuredRatePerSecond: number },
) {
  const { receiver, log } = context;
  let history: { run: string; fromMs: number; toMs: number; webhookId: string; replayId?: string } | undefined;
  let figures: (ReplayFigures & { replayedCallsReceived: number }) | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let firstCallsSeenAtMs: number | undefined;

  return {
    async prepare(stack: ScenarioStack): Promise<void> {
      const workspace = stack.workspaces[0];
      const webhook = workspace?.webhooks.find((candidate) => candidate.behaviour === 'ok');
      if (!workspace || !webhook) throw new Error('the replay run needs a workspace with a webhook that answers 200');
      const run = `${stack.label}-history`;
      // Record timestamps come from this machine's clock: the range starts a little before.
      const fromMs = Date.now() - 1_000;
      const send = createEventSender({ producer: options.producer, topic: stack.topics.domainEvents, workspaces: [workspace], run, sizeBytes: options.sizeBytes });
      const started = Date.now();
      const inFlight = new Set<Promise<void>>();
      for (let sent = 0; sent < options.events; sent += HISTORY_CHUNK) {
        const sending = send(Math.min(HISTORY_CHUNK, options.events - sent));
        inFlight.add(sending);
        void sending.finally(() => inFlight.delete(sending)).catch(() => undefined);
        if (inFlight.size >= 4) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      const toMs = Date.now() + 1;
      log(`${stack.label}: ${options.events.toLocaleString('en-US')} events published for one workspace in ${((Date.now() - started) / 1_000).toFixed(1)} s; waiting for their first calls`);

      // Their live first calls, before the measured load: a run that starts with a backlog
      // measures the backlog. Generous: the whole history goes to one endpoint.
      const deadline = Date.now() + Math.max(120_000, options.events * 5);
      let lastLog = Date.now();
      while (receiver.firstCalls(run) < options.events) {
        if (Date.now() > deadline) {
          throw new Error(`only ${receiver.firstCalls(run)} of the ${options.events} history events were delivered in time`);
        }
        if (Date.now() - lastLog >= 10_000) {
          lastLog = Date.now();
          log(`${stack.label}: ${receiver.firstCalls(run).toLocaleString('en-US')} of ${options.events.toLocaleString('en-US')} history events delivered`);
        }
        await sleep(200);
      }
      log(`${stack.label}: history delivered in ${((Date.now() - started) / 1_000).toFixed(1)} s`);
      history = { run, fromMs, toMs, webhookId: webhook.id };
      if (!options.replay) return;
      const [row] = (await stack
        .knex('replays')
        .insert({ workspace_id: workspace.id, webhook_id: webhook.id, range_from: new Date(fromMs), range_to: new Date(toMs) })
        .returning(['id'])) as Array<{ id: string }>;
      const replayId = row?.id;
      history.replayId = replayId;
      log(`${stack.label}: replay ${replayId ?? '?'} of the history requested (${options.configuredRatePerSecond}/s)`);
      // Its progress every 2 s: when its first calls came, and a line every 10 s.
      let samples = 0;
      sampler = setInterval(() => {
        samples += 1;
        void stack
          .knex('replays')
          .select('status', 'events_scanned', 'calls_made')
          .where({ id: replayId })
          .first()
          .then((progress: { status: string; events_scanned: string; calls_made: string } | undefined) => {
            if (!progress) return;
            if (firstCallsSeenAtMs === undefined && Number(progress.calls_made) > 0) firstCallsSeenAtMs = Date.now();
            if (samples % 5 === 0) log(`${stack.label}: replay ${progress.status}, ${Number(progress.events_scanned).toLocaleString('en-US')} scanned, ${Number(progress.calls_made).toLocaleString('en-US')} calls made`);
          })
          .catch(() => undefined);
      }, 2_000);
      sampler.unref();
    },

    async afterLoad(stack: ScenarioStack, window: { startMs: number; endMs: number }): Promise<void> {
      clearInterval(sampler);
      if (!history) return;
      if (history.replayId) {
        const readAtMs = Date.now();
        const row = (await stack
          .knex('replays')
          .select('status', 'events_scanned', 'calls_made', 'created_at', 'finished_at')
          .where({ id: history.replayId })
          .first()) as { status: string; events_scanned: string; calls_made: string; created_at: Date; finished_at: Date | null } | undefined;
        if (row) {
          figures = {
            ...replayFigures({
              row: {
                status: row.status,
                eventsScanned: Number(row.events_scanned),
                callsMade: Number(row.calls_made),
                createdAtMs: row.created_at.getTime(),
                finishedAtMs: row.finished_at?.getTime(),
                firstCallsSeenAtMs,
              },
              eventsInRange: options.events,
              configuredRatePerSecond: options.configuredRatePerSecond,
              readAtMs,
              windowStartMs: window.startMs,
              windowEndMs: window.endMs,
            }),
            // The replayed calls of events whose first call succeeded carry retry count 1.
            replayedCallsReceived: receiver.otherCalls(history.run),
          };
          if (!figures.finished) log(`${stack.label}: the replay was still running at the end of the run (${figures.callsMade.toLocaleString('en-US')} calls made)`);
        }
      }
      receiver.forget(history.run);
    },

    /** The replay's figures, once the run is over (undefined without a replay). */
    figures: () => figures,
  };
}

export type ReplayRunFigures = NonNullable<ReturnType<ReturnType<typeof replayHooks>['figures']>>;
