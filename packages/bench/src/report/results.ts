import type { HotFunction } from '../measure/cpu-profile';
import type { FixedRateResult } from '../scenarios/fixed-rate-latency';
import type { measureBrokerRate, measureReceiverRate } from '../scenarios/reference-rates';
import type { ReplayRunFigures } from '../scenarios/replay';
import type { OfflineResult, RetriesResult } from '../scenarios/retries-and-offline';
import type { ThroughputResult } from '../scenarios/throughput';
import type { TargetCheck } from './targets';

/** Everything one `npm run bench` measured: printed as tables and written as JSON. */
export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: { cpus: number; cpuModel: string; memoryBytes: number; node: string; infrastructure: string };
  settings: Record<string, unknown>;
  reference?: {
    broker?: Awaited<ReturnType<typeof measureBrokerRate>>;
    receiver?: Awaited<ReturnType<typeof measureReceiverRate>>;
  };
  throughput: ThroughputResult[];
  latency?: FixedRateResult;
  /** `dead50`: 50 never-answering endpoints among the baseline's healthy ones. */
  isolation?: { baseline?: FixedRateResult; dead?: FixedRateResult; dead50?: FixedRateResult };
  /** The latency run with a backlog of retries waiting in the tiers. */
  backlog?: FixedRateResult & { waitingRetries: number };
  /** The latency run without and with a replay of a workspace's history running. */
  replay?: { events: number; baseline?: FixedRateResult; running?: FixedRateResult; replay?: ReplayRunFigures };
  retries?: RetriesResult;
  offline?: OfflineResult;
  retriesServiceErrors?: Record<string, Array<{ message: string; count: number }>>;
  /** Runs repeated with max.message.bytes = 16 MiB because a default run hit the 1 MiB limit. */
  workaround?: { latency?: FixedRateResult; isolation?: { baseline?: FixedRateResult; dead?: FixedRateResult } };
  cpuProfiles?: Record<string, HotFunction[][]>;
  targets: TargetCheck[];
  /** Figures that could not be measured, and why. */
  problems: string[];
}
