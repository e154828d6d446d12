import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server } from 'node:http';
import express from 'express';
import { generateSecret, signBody } from './signature';
import { verifyWebhook } from './verify-webhook';

// An independent check of signBody against the express receiver that the public webhook
// guide gives its customers (also in docs/webhooks.md "Verifying signatures"): a real express
// server listening on 127.0.0.1, whose handler is the guide's code — raw body captured by express.json's `verify` hook as a string,
// createHmac('sha256', WEBHOOK_SECRET).update(rawBody).digest('hex'), compared with ===
// to the two headers, console.log/console.error for the verdict. Only 127.0.0.1 is dialled.
//
// The guide's listing stops where it handles an invalid signature; this copy answers 401
// there so the test can also observe the verdict as a status. Everything else is the guide's.

type GuideRequest = IncomingMessage & { rawBody?: string };

interface Verdict {
  logs: string[];
  errors: string[];
  status: number;
  /** What @hookstream/signing's verifyWebhook says about the same request, for comparison. */
  library: ReturnType<typeof verifyWebhook> | undefined;
}

const sentAtSeconds = 1764072000;

interface GuideReceiver {
  server: Server;
  url: string;
  /** verifyWebhook's verdict on each request the receiver handled, in order. */
  libraryVerdicts: Array<ReturnType<typeof verifyWebhook>>;
}

function startGuideReceiver(WEBHOOK_SECRET: string): Promise<GuideReceiver> {
  const app = express();
  const libraryVerdicts: GuideReceiver['libraryVerdicts'] = [];

  // Add middleware to extract raw request body
  app.use(
    express.json({
      verify: (req, _res, buf) => {
        (req as GuideRequest).rawBody = buf.toString();
      },
    }),
  );

  // Receive HTTP POST requests
  app.post('/dotfile-webhook', (req, res) => {
    const rawBody = (req as GuideRequest).rawBody ?? '';
    libraryVerdicts.push(verifyWebhook({ rawBody, headers: req.headers, secret: WEBHOOK_SECRET, nowSeconds: sentAtSeconds }));

    // Verify signature
    const signature = createHmac('sha256', WEBHOOK_SECRET).update(rawBody).digest('hex');
    let isSignatureValid = false;

    if (signature === req.headers['dotfile-signature']) {
      isSignatureValid = true;
      console.log('✅ Valid signature');
    }

    if (signature === req.headers['dotfile-old-signature']) {
      isSignatureValid = true;
      console.log('✅ Valid signature but has been rotated, update your config');
    }

    if (!isSignatureValid) {
      console.error('Invalid signature');
      res.sendStatus(401);
      return;
    }
    // Do something neat with the data received!

    // Finally, respond with a HTTP 200 to signal all good
    res.sendStatus(200);
  });

  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/dotfile-webhook`, libraryVerdicts });
    });
  });
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

describe("the public guide's express receiver", () => {
  const receiverSecret = generateSecret();
  let receiver: GuideReceiver;
  let logSpy: jest.SpyInstance;
  let errorSpy: jest.SpyInstance;

  beforeAll(async () => {
    receiver = await startGuideReceiver(receiverSecret);
  });

  afterAll(async () => {
    await stopServer(receiver.server);
  });

  beforeEach(() => {
    logSpy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    errorSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    logSpy.mockRestore();
    errorSpy.mockRestore();
  });

  async function post(rawBody: string, signatureHeaders: Record<string, string>): Promise<Verdict> {
    const handledBefore = receiver.libraryVerdicts.length;
    const response = await fetch(receiver.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signatureHeaders },
      body: rawBody,
    });
    await response.arrayBuffer();
    expect(receiver.libraryVerdicts).toHaveLength(handledBefore + 1);
    return {
      logs: logSpy.mock.calls.map((call: unknown[]) => String(call[0])),
      errors: errorSpy.mock.calls.map((call: unknown[]) => String(call[0])),
      status: response.status,
      library: receiver.libraryVerdicts[handledBefore],
    };
  }

  function payload(extra: Record<string, unknown> = {}): string {
    return JSON.stringify({
      event: 'Case.Updated',
      sub_event: 'Case.StatusUpdated',
      context: { timestamp: sentAtSeconds, event_id: '6f1c2a8e-6f4b-5d7e-9a51-0f3c2b1d4e5a', retry_count: 0, remaining_retry_count: 4, workspace: { id: 'ws', name: 'Acme' } },
      case: { id: 'case_1', name: 'Acme SAS', status: 'approved', ...extra },
    });
  }

  it('accepts a body signed by signBody with its secret', async () => {
    const rawBody = payload();
    const verdict = await post(rawBody, { 'Dotfile-Signature': signBody(rawBody, receiverSecret) });
    expect(verdict).toEqual({
      logs: ['✅ Valid signature'],
      errors: [],
      status: 200,
      library: { ok: true, matched: 'current', payload: JSON.parse(rawBody) },
    });
  });

  it('accepts a body with non-ASCII characters (the signed bytes are the bytes sent)', async () => {
    const rawBody = payload({ name: 'Société Générale — 株式会社 🚀' });
    const verdict = await post(rawBody, { 'Dotfile-Signature': signBody(Buffer.from(rawBody, 'utf8'), receiverSecret) });
    expect(verdict.logs).toEqual(['✅ Valid signature']);
    expect(verdict.status).toBe(200);
    expect(verdict.library).toMatchObject({ ok: true, matched: 'current' });
  });

  it('accepts through the old-signature branch during a rotation, while it still has the old secret', async () => {
    const newSecret = generateSecret();
    const rawBody = payload();
    const verdict = await post(
      rawBody,
      { 'Dotfile-Signature': signBody(rawBody, newSecret), 'Dotfile-Old-Signature': signBody(rawBody, receiverSecret) },
    );
    expect(verdict.logs).toEqual(['✅ Valid signature but has been rotated, update your config']);
    expect(verdict.errors).toEqual([]);
    expect(verdict.status).toBe(200);
    expect(verdict.library).toMatchObject({ ok: true, matched: 'previous' });
  });

  it('refuses a body signed with another secret', async () => {
    const rawBody = payload();
    const verdict = await post(rawBody, { 'Dotfile-Signature': signBody(rawBody, generateSecret()) });
    expect(verdict).toEqual({ logs: [], errors: ['Invalid signature'], status: 401, library: { ok: false, reason: 'bad_signature' } });
  });

  it('refuses a body altered after signing', async () => {
    const signedBody = payload();
    const sentBody = payload({ status: 'rejected' });
    const verdict = await post(sentBody, { 'Dotfile-Signature': signBody(signedBody, receiverSecret) });
    expect(verdict.errors).toEqual(['Invalid signature']);
    expect(verdict.status).toBe(401);
    expect(verdict.library).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses after the rotation grace period when it still has the old secret (no old signature sent)', async () => {
    const rawBody = payload();
    const verdict = await post(rawBody, { 'Dotfile-Signature': signBody(rawBody, generateSecret()) });
    expect(verdict.status).toBe(401);
    expect(verdict.library).toEqual({ ok: false, reason: 'bad_signature' });
  });
});
