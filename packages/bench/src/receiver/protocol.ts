/**
 * Messages between the bench and its receiver process (over the fork IPC channel).
 *
 * Listener behaviours: `ok` answers 200 at once; `fail` answers 500 at once; `hang`
 * accepts the TCP connection, reads the request and never answers (a dead endpoint).
 */
export type ListenerBehaviour = 'ok' | 'fail' | 'hang';

export interface ListenerSpec {
  label: string;
  behaviour: ListenerBehaviour;
}

export type ToReceiver =
  | { type: 'open'; requestId: number; listeners: ListenerSpec[] }
  | { type: 'close'; requestId: number; labels: string[] };

/** One call to a `fail` listener, kept whole for the retry and offline figures. */
export interface CallRecord {
  label: string;
  run: string;
  eventId: string;
  retryCount: number;
  receivedAtMs: number;
}

/** First calls answered 200 since the previous report, per run. */
export interface RunReport {
  sentAtMs: number[];
  receivedAtMs: number[];
  /** Calls answered 200 that were not first calls (retries), or not bench calls at all. */
  otherCalls: number;
}

export type FromReceiver =
  | { type: 'ready' }
  | { type: 'opened'; requestId: number; ports: number[] }
  | { type: 'closed'; requestId: number }
  | { type: 'report'; runs: Record<string, RunReport>; calls: CallRecord[]; hangingConnections: number };
