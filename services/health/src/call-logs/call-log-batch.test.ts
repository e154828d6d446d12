import type { OutcomeMessage } from '@hookstream/messages';
import { ACCEPTED, makeOutcome, nextAttemptOf } from '../test-support/outcomes';
import { foldOutcomes } from './call-log-batch';
import { decodeOutcome } from './outcome-decoding';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1_000).toISOString();

describe('foldOutcomes', () => {
  it('makes one call, one attempt and one failure of a failed first call', () => {
    const first = makeOutcome({ attempted_at: at(0), first_attempt_at: at(0), next_retry_at: at(3_600) });
    const { calls, attempts, failures } = foldOutcomes([first]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      event_id: first.event_id,
      webhook_id: first.webhook_id,
      status: 'retrying',
      status_reason: null,
      next_retry_at: at(3_600),
      state_changed_at: at(0),
      status_code: 500,
      endpoint: first.endpoint,
      retry_count: 0,
      last_attempt_at: at(0),
      first_attempt_at: at(0),
      payload: JSON.parse(first.request.body),
      domain_event: first.domain_event,
    });
    expect(attempts).toEqual([
      {
        id: first.attempt_id,
        event_id: first.event_id,
        type: 'first_call',
        retry_count: 0,
        endpoint: first.endpoint,
        status_code: 500,
        error: 'HTTP 500',
        duration_ms: 12,
        request_headers: first.request.headers,
        response_headers: first.response?.headers,
        response_body: 'internal error',
        attempted_at: at(0),
      },
    ]);
    expect(failures).toEqual([
      { attempt_id: first.attempt_id, event_id: first.event_id, retry_count: 0, webhook_id: first.webhook_id, failed_at: at(0) },
    ]);
  });

  it('folds several outcomes of one call into one row showing the latest, whatever their order in the batch', () => {
    const first = makeOutcome({ attempted_at: at(0), first_attempt_at: at(0) });
    const retry = nextAttemptOf(first, {
      type: 'automatic_retry',
      retry_count: 1,
      attempted_at: at(1),
      ...ACCEPTED,
      endpoint: 'http://127.0.0.1:9/new-url',
    });
    for (const batch of [
      [first, retry],
      [retry, first],
    ]) {
      const { calls, attempts, failures } = foldOutcomes(batch);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({
        status: 'succeeded',
        next_retry_at: null,
        status_code: 200,
        endpoint: 'http://127.0.0.1:9/new-url',
        retry_count: 1,
        last_attempt_at: at(1),
        first_attempt_at: at(0),
      });
      expect(attempts.map((attempt) => attempt.id).sort()).toEqual([first.attempt_id, retry.attempt_id].sort());
      expect(failures.map((failure) => failure.attempt_id)).toEqual([first.attempt_id]);
    }
  });

  it('keeps the domain event of the first call when its retry (which carries none) is in the same batch', () => {
    const first = makeOutcome({ attempted_at: at(0), first_attempt_at: at(0) });
    const retry = nextAttemptOf(first, { type: 'automatic_retry', retry_count: 1, attempted_at: at(1) });
    expect(retry.domain_event).toBeNull();
    for (const batch of [
      [first, retry],
      [retry, first],
    ]) {
      expect(foldOutcomes(batch).calls[0]).toMatchObject({ domain_event: first.domain_event, retry_count: 1, payload: JSON.parse(retry.request.body) });
    }
  });

  it('keeps one attempt and one failure of an outcome delivered twice in a batch', () => {
    const first = makeOutcome();
    const { calls, attempts, failures } = foldOutcomes([first, { ...first }]);
    expect([calls.length, attempts.length, failures.length]).toEqual([1, 1, 1]);
  });

  it('logs both attempts of a call the sender made twice, but counts one failed call', () => {
    const first = makeOutcome({ attempted_at: at(0) });
    const repeated = { ...first, attempt_id: '00000000-0000-4000-8000-000000000001', attempted_at: at(2) };
    const { attempts, failures } = foldOutcomes([first, repeated]);
    expect(attempts).toHaveLength(2);
    expect(failures.map((failure) => failure.attempt_id)).toEqual([first.attempt_id]);
  });

  it('keeps the highest retry when an earlier attempt made again comes later in the batch', () => {
    const first = makeOutcome({ attempted_at: at(0), first_attempt_at: at(0), next_retry_at: at(10) });
    const accepted = nextAttemptOf(first, { type: 'automatic_retry', retry_count: 1, attempted_at: at(10), ...ACCEPTED });
    const firstAgain = makeOutcome({ ...first, attempt_id: 'a1b2c3d4-0000-4000-8000-000000000001', attempted_at: at(12) });
    const { calls, attempts } = foldOutcomes([first, accepted, firstAgain]);
    expect(calls[0]).toMatchObject({ status: 'succeeded', retry_count: 1, status_code: 200, last_attempt_at: at(10) });
    expect(attempts).toHaveLength(3);
  });

  it('marks the end of retries as failed', () => {
    const last = makeOutcome({ type: 'automatic_retry', retry_count: 4, final: true, next_retry_at: null });
    expect(foldOutcomes([last]).calls[0]).toMatchObject({ status: 'failed', next_retry_at: null, retry_count: 4 });
  });

  it('cancels a call whose retry was not sent to a deleted webhook, keeping the last attempt as it was', () => {
    const first = makeOutcome({ attempted_at: at(0) });
    const notSent = nextAttemptOf(first, {
      type: 'automatic_retry',
      retry_count: 1,
      attempted_at: at(3_600),
      result: 'not_sent',
      not_sent_reason: 'webhook_deleted',
      failure_kind: null,
      error: null,
      status_code: null,
      response: null,
      request: { headers: {}, body: '' },
      next_retry_at: null,
      final: true,
    });
    const { calls, attempts, failures } = foldOutcomes([first, notSent]);
    expect(calls[0]).toMatchObject({
      status: 'cancelled',
      status_reason: 'webhook_deleted',
      next_retry_at: null,
      state_changed_at: at(3_600),
      status_code: 500,
      retry_count: 0,
      last_attempt_at: at(0),
    });
    expect(attempts.map((attempt) => attempt.id)).toEqual([first.attempt_id]);
    expect(failures).toHaveLength(1);

    // Alone in its batch, the cancellation carries no attempt fields: the stored ones stay.
    expect(foldOutcomes([notSent]).calls[0]).toMatchObject({
      status: 'cancelled',
      status_code: null,
      endpoint: null,
      retry_count: null,
      payload: null,
      last_attempt_at: null,
      first_attempt_at: null,
    });
  });

  it('keeps a call whose retry was parked (retries paused) retrying, with the reason and no retry time, then logs its release', () => {
    const first = makeOutcome({ attempted_at: at(0), next_retry_at: at(60) });
    const notSent = { result: 'not_sent', failure_kind: null, error: null, status_code: null, response: null, request: { headers: {}, body: '' } } as const;
    const parked = nextAttemptOf(first, { ...notSent, type: 'automatic_retry', retry_count: 1, attempted_at: at(60), not_sent_reason: 'retries_paused', next_retry_at: null, final: false });
    const { calls, attempts, failures } = foldOutcomes([first, parked]);
    expect(calls[0]).toMatchObject({ status: 'retrying', status_reason: 'retries_paused', next_retry_at: null, state_changed_at: at(60), retry_count: 0 });
    expect(attempts.map((attempt) => attempt.id)).toEqual([first.attempt_id]);
    expect(failures).toHaveLength(1);

    const released = nextAttemptOf(first, { type: 'automatic_retry', retry_count: 1, attempted_at: at(600), result: 'succeeded', status_code: 200, error: null, failure_kind: null, next_retry_at: null, final: true });
    expect(foldOutcomes([parked, released]).calls[0]).toMatchObject({ status: 'succeeded', status_reason: null, retry_count: 1 });
  });

  it.each(['already_succeeded', 'superseded'] as const)('records nothing for a retry not sent as %s', (reason) => {
    const notSent = makeOutcome({ result: 'not_sent', not_sent_reason: reason, response: null, status_code: null });
    expect(foldOutcomes([notSent])).toEqual({ calls: [], attempts: [], failures: [] });
  });

  it('lets a succeeded manual retry end a call whose automatic retry is then not sent', () => {
    const first = makeOutcome({ attempted_at: at(0) });
    const manual = nextAttemptOf(first, {
      type: 'manual_retry',
      retry_count: 1,
      attempted_at: at(1_800),
      result: 'succeeded',
      status_code: 204,
      error: null,
      failure_kind: null,
      next_retry_at: null,
      final: true,
    });
    const skipped = nextAttemptOf(first, {
      type: 'automatic_retry',
      retry_count: 1,
      attempted_at: at(3_600),
      result: 'not_sent',
      not_sent_reason: 'already_succeeded',
      next_retry_at: null,
      final: true,
    });
    const { calls, attempts } = foldOutcomes([first, manual, skipped]);
    expect(calls[0]).toMatchObject({ status: 'succeeded', status_code: 204, state_changed_at: at(1_800) });
    expect(attempts.map((attempt) => attempt.type).sort()).toEqual(['first_call', 'manual_retry']);
  });

  it('keeps a payload that is not JSON as text, and replaces characters PostgreSQL cannot store', () => {
    const outcome = makeOutcome({
      request: { headers: { 'x-a': 'b\u0000' }, body: 'not json' },
      response: { headers: {}, body: 'bad\u0000byte' },
    });
    const { calls, attempts } = foldOutcomes([outcome]);
    expect(calls[0]?.payload).toBe('not json');
    expect(attempts[0]?.response_body).toBe('bad\uFFFDbyte');
    expect(attempts[0]?.request_headers).toEqual({ 'x-a': 'b\uFFFD' });
  });

  it('cleans the payload parsed from a request body whose JSON escapes a NUL or a lone surrogate', () => {
    const outcome = makeOutcome({ request: { headers: {}, body: JSON.stringify({ 'k\uD800': 'v\u0000' }) } });
    expect(foldOutcomes([outcome]).calls[0]?.payload).toEqual({ 'k\uFFFD': 'v\uFFFD' });
  });

  describe('with outcomes known to be storable (decodeOutcome)', () => {
    const decoded = (outcome: OutcomeMessage) => {
      const result = decodeOutcome(Buffer.from(JSON.stringify(outcome)));
      if (!result.ok) throw new Error(result.detail);
      return result;
    };
    const foldDecoded = (outcomes: readonly OutcomeMessage[]) => {
      const results = outcomes.map(decoded);
      const storable = new Set(results.filter((result) => result.storable).map((result) => result.outcome));
      return { storable, rows: foldOutcomes(results.map((result) => result.outcome), { storable }) };
    };

    it('writes the same rows as the walk would', () => {
      const first = makeOutcome({
        attempted_at: at(0),
        endpoint: 'http://127.0.0.1:9/hook/émoji/\uD83D\uDE00',
        domain_event: { id: 'de-1', nested: { list: ['a', 1, null], 'clé': 'café' } },
      });
      const retry = nextAttemptOf(first, { type: 'automatic_retry', retry_count: 1, attempted_at: at(1) });
      const { storable, rows } = foldDecoded([first, retry]);
      expect(storable.size).toBe(2);
      expect(rows).toEqual(foldOutcomes([first, retry]));
    });

    it('still cleans an outcome whose text escapes either character, wherever it is', () => {
      const outcomes = [
        makeOutcome({ response: { headers: { 'x-a': 'b\u0000' }, body: 'bad\uD800' } }),
        makeOutcome({ domain_event: { ['k\u0000']: ['\uDC00'] }, case_id: 'case\u0000' }),
        makeOutcome({ request: { headers: {}, body: JSON.stringify({ a: '\u0000' }) } }),
      ];
      const { storable, rows } = foldDecoded(outcomes);
      expect(storable.size).toBe(0);
      const byEvent = new Map(rows.calls.map((call) => [call.event_id, call]));
      const attemptOf = new Map(rows.attempts.map((attempt) => [attempt.event_id, attempt]));
      const [headers, domainEvent, body] = outcomes.map((outcome) => outcome.event_id);
      expect(attemptOf.get(headers as string)).toMatchObject({ response_headers: { 'x-a': 'b\uFFFD' }, response_body: 'bad\uFFFD' });
      expect(byEvent.get(domainEvent as string)).toMatchObject({ domain_event: { ['k\uFFFD']: ['\uFFFD'] }, case_id: 'case\uFFFD' });
      expect(byEvent.get(body as string)?.payload).toEqual({ a: '\uFFFD' });
    });

    it('stores the strings of an outcome in the set as they are (the walk is skipped)', () => {
      // Only decodeOutcome puts outcomes in the set; this one is put there wrongly to show
      // that the set is what decides.
      const outcome = makeOutcome({ response: { headers: {}, body: 'bad\u0000' } });
      expect(foldOutcomes([outcome], { storable: new Set([outcome]) }).attempts[0]?.response_body).toBe('bad\u0000');
      expect(foldOutcomes([outcome]).attempts[0]?.response_body).toBe('bad\uFFFD');
    });
  });

  it('spells ids in lower case and sorts rows by id, so that concurrent writers lock in one order', () => {
    const outcomes = Array.from({ length: 5 }, () => makeOutcome());
    const upper = { ...makeOutcome(), event_id: 'ABCDEF01-0000-4000-8000-000000000000', attempt_id: 'FFFFFFFF-0000-4000-8000-000000000000' };
    const { calls, attempts } = foldOutcomes([...outcomes, upper]);
    const eventIds = calls.map((call) => call.event_id);
    expect(eventIds).toEqual([...eventIds].sort());
    expect(eventIds).toContain('abcdef01-0000-4000-8000-000000000000');
    const attemptIds = attempts.map((attempt) => attempt.id);
    expect(attemptIds).toEqual([...attemptIds].sort());
    expect(attemptIds).toContain('ffffffff-0000-4000-8000-000000000000');
  });
});
