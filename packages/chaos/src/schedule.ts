/**
 * The faults of a run and when each one strikes, counted from the start of the stream.
 * Each round has one fault of every kind, in this order, `spacingMs` apart; a killed
 * service instance alternates between the two of its kind, a killed broker goes round
 * the nodes, and a moved leader alternates between the topic the router reads and the
 * one the sender reads.
 */
export const FAULT_KINDS = ['router', 'sender', 'health', 'api', 'leader', 'broker', 'postgres'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  /** e.g. `sigkill router-1`, `sigkill broker 2`, `postgres stop 10 s`. */
  label: string;
  kind: FaultKind;
  atMs: number;
  /** Service slot (`router-1`), broker node id, or topic key of the moved leader. */
  target: string;
}

export interface PlanOptions {
  warmupMs: number;
  spacingMs: number;
  rounds: number;
  brokers: number;
  brokerDownMs: number;
  postgresDownMs: number;
}

export function planFaults(options: PlanOptions): PlannedFault[] {
  const faults: PlannedFault[] = [];
  let atMs = options.warmupMs;
  for (let round = 0; round < options.rounds; round += 1) {
    const instance = (round % 2) + 1;
    for (const kind of FAULT_KINDS) {
      let target: string;
      let label: string;
      if (kind === 'api') {
        target = 'api';
        label = 'sigkill api';
      } else if (kind === 'broker') {
        target = String((round % options.brokers) + 1);
        label = `sigkill broker ${target}, back after ${Math.round(options.brokerDownMs / 1_000)} s`;
      } else if (kind === 'postgres') {
        target = 'postgres';
        label = `postgres stop -m immediate, back after ${Math.round(options.postgresDownMs / 1_000)} s`;
      } else if (kind === 'leader') {
        target = round % 2 === 0 ? 'domainEvents' : 'webhookDeliveries';
        label = `move a leader of ${target === 'domainEvents' ? 'domain-events' : 'webhook-deliveries'}`;
      } else {
        target = `${kind}-${instance}`;
        label = `sigkill ${target}`;
      }
      faults.push({ label, kind, atMs, target });
      atMs += options.spacingMs;
    }
  }
  return faults;
}

/** When the stream stops: one spacing after the last fault, and never before a downed part is back. */
export function streamDurationMs(faults: readonly PlannedFault[], options: PlanOptions): number {
  const last = faults[faults.length - 1];
  if (!last) return options.warmupMs;
  return last.atMs + Math.max(options.spacingMs, options.brokerDownMs, options.postgresDownMs) + 5_000;
}
