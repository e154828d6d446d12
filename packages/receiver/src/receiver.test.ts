import { generateSecret, signBody } from '@hookstream/signing';
import { parseReceiverArguments, ReceiverUsageError } from './arguments';
import { startReceiver, type ReceiverOptions, type RunningReceiver } from './receiver';

// The receiver as a real HTTP server on 127.0.0.1, called with fetch like the sender calls it.

const secret = generateSecret();
const now = () => Math.floor(Date.now() / 1000);

function payload(overrides: { timestamp?: number; retryCount?: number } = {}): string {
  return JSON.stringify({
    event: 'Case.Updated',
    sub_event: 'Case.StatusUpdated',
    context: {
      timestamp: overrides.timestamp ?? now(),
      event_id: '6f1c2a8e-6f4b-5d7e-9a51-0f3c2b1d4e5a',
      retry_count: overrides.retryCount ?? 0,
      remaining_retry_count: 4 - (overrides.retryCount ?? 0),
      workspace: { id: 'ws-1', name: 'Acme Compliance' },
    },
    case: { id: 'case-1', name: 'Acme SAS onboarding', status: 'approved' },
  });
}

describe('the webhook receiver', () => {
  let receiver: RunningReceiver | undefined;
  let out: string[];
  let err: string[];

  const start = async (options: Partial<ReceiverOptions> = {}) => {
    out = [];
    err = [];
    receiver = await startReceiver({
      port: 0,
      host: '127.0.0.1',
      secret,
      toleranceSeconds: 120,
      fail: false,
      failFirst: 0,
      delayMs: 0,
      quiet: false,
      out: (text) => void out.push(text),
      err: (text) => void err.push(text),
      ...options,
    });
    return receiver;
  };
  const post = async (body: string, headers: Record<string, string>) => {
    const response = await fetch(`${receiver?.url}/dotfile-webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('answers 200 to a signed delivery and prints it readably', async () => {
    await start();
    const body = payload();
    expect(await post(body, { 'dotfile-signature': signBody(body, secret) })).toEqual({ status: 200, body: { received: true } });
    const printed = out.join('');
    expect(printed).toContain('Case.Updated › Case.StatusUpdated  first call (4 automatic retries left)  → 200');
    expect(printed).toContain('workspace  Acme Compliance (ws-1)');
    expect(printed).toContain('Dotfile-Signature matches your secret');
    expect(printed).toContain('"status": "approved"');
    expect(printed).not.toContain(secret);
  });

  it('answers 400 with the reason, and logs why, on a bad signature, a missing one or a stale timestamp', async () => {
    await start();
    const body = payload();
    const wrong = await post(body, { 'dotfile-signature': signBody(body, generateSecret()) });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'bad_signature', message: expect.stringContaining('wrong secret') } });
    const tampered = await post(body.replace('approved', 'rejected'), { 'dotfile-signature': signBody(body, secret) });
    expect(tampered).toMatchObject({ status: 400, body: { error: 'bad_signature' } });
    expect(await post(body, {})).toMatchObject({ status: 400, body: { error: 'missing_signature' } });
    const stale = payload({ timestamp: now() - 10 * 60 });
    expect(await post(stale, { 'dotfile-signature': signBody(stale, secret) })).toMatchObject({
      status: 400,
      body: { error: 'timestamp_out_of_tolerance', message: expect.stringContaining('replayed') },
    });
    expect(err).toHaveLength(4);
    expect(err.join('')).toMatch(/→ 400 bad_signature: [\s\S]*→ 400 missing_signature[\s\S]*→ 400 timestamp_out_of_tolerance/);
    expect(out).toEqual([]);
  });

  it('accepts a delivery during a rotation through Dotfile-Old-Signature, and says the secret was rotated', async () => {
    await start();
    const body = payload();
    const newSecret = generateSecret();
    const result = await post(body, { 'dotfile-signature': signBody(body, newSecret), 'dotfile-old-signature': signBody(body, secret) });
    expect(result.status).toBe(200);
    expect(out.join('')).toContain('Dotfile-Old-Signature matches your secret: the webhook\'s secret was rotated');
  });

  it('fails on purpose: always with --fail, or the first N deliveries with --fail-first', async () => {
    await start({ failFirst: 2 });
    const body = payload();
    const headers = { 'dotfile-signature': signBody(body, secret) };
    expect((await post(body, headers)).status).toBe(500);
    expect((await post(body, headers)).status).toBe(500);
    expect((await post(body, headers)).status).toBe(200);
    expect(out.join('')).toContain('(failing on purpose: 2 of the first 2)');
    await receiver?.close();

    await start({ fail: true, quiet: true });
    for (let index = 0; index < 3; index += 1) expect((await post(body, headers)).status).toBe(500);
    expect(out).toHaveLength(3);
    expect(out[0]).toMatch(/→ 500 {2}\(failing on purpose: --fail\) {2}event_id 6f1c2a8e/);
  });

  it('answers no sooner than the --delay', async () => {
    await start({ delayMs: 1_000 });
    const body = payload();
    const started = Date.now();
    expect((await post(body, { 'dotfile-signature': signBody(body, secret) })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });
});

describe('the receiver\'s command line', () => {
  it('reads its options, with defaults, and the secret from WEBHOOK_SECRET', () => {
    expect(parseReceiverArguments(['--port', '4000', '--secret', 'dotsecret.x', '--delay', '5s', '--fail-first', '3'], {})).toEqual({
      secret: 'dotsecret.x',
      port: 4000,
      host: '127.0.0.1',
      toleranceSeconds: 120,
      fail: false,
      failFirst: 3,
      delayMs: 5_000,
      quiet: false,
    });
    expect(parseReceiverArguments(['--fail', '--tolerance', '1m'], { WEBHOOK_SECRET: 'dotsecret.y' })).toMatchObject({ secret: 'dotsecret.y', fail: true, toleranceSeconds: 60 });
  });

  it.each([
    [['--port', '4000'], /--secret <secret>/],
    [['--secret', 's', '--delay', 'soon'], /--delay must be a duration/],
    [['--secret', 's', '--port', '70000'], /--port must be a whole number/],
    [['--secret', 's', '--explode'], /Unknown option '--explode'/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseReceiverArguments(argv, {})).toThrow(ReceiverUsageError);
    expect(() => parseReceiverArguments(argv, {})).toThrow(message);
  });
});
