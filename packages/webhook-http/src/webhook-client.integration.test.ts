import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCidrList } from '@hookstream/target-safety';
import { classifyError, createWebhookClient, type WebhookClient } from './webhook-client';
import { TargetRefusedError } from './safe-connector';

/**
 * The sender's HTTP client against a real server on loopback. The allowlist holds only
 * 127.0.0.1/32, so the other loopback forms stand in for private targets: they must be
 * refused before any connection is made (the server counts the connections it sees).
 */
/** One connection per origin and 1 KiB body caps: for the timeout and scheme cases. */
function singleConnectionClient(options: { timeoutMs: number; allowHttp?: boolean }): WebhookClient {
  return createWebhookClient({
    allowlist: parseCidrList('127.0.0.1/32'),
    allowHttp: options.allowHttp ?? true,
    timeoutMs: options.timeoutMs,
    connectTimeoutMs: 1_000,
    connectionsPerOrigin: 1,
    readBodyBytes: 1024,
    keptBodyBytes: 1024,
  });
}

describe('webhook client target checks at connect time', () => {
  let server: Server;
  let port: number;
  let connections = 0;
  let client: WebhookClient;

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/silent') return; // never answers
      if (request.url === '/large') {
        response.writeHead(200, { 'content-type': 'text/plain', 'x-many': ['one', 'two'] });
        response.end('é'.repeat(60 * 1024)); // 120 KiB: more than the client reads
        return;
      }
      if (request.url === '/early-hints') {
        response.writeEarlyHints({ link: '</style.css>; rel=preload' }, () => response.writeHead(202, { 'x-final': 'yes' }).end('accepted'));
        return;
      }
      if (request.url === '/moved') {
        response.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end('moved');
        return;
      }
      if (request.url === '/stalled-body') {
        response.writeHead(200, { 'content-type': 'text/plain' }).write('partial'); // never ends
        return;
      }
      response.writeHead(204).end();
    });
    server.on('connection', () => (connections += 1));
    // Every loopback address reaches this server, so a refusal is the client's doing.
    await new Promise<void>((resolve) => server.listen(0, '::', resolve));
    port = (server.address() as AddressInfo).port;
    client = createWebhookClient({
      allowlist: parseCidrList('127.0.0.1/32'),
      allowHttp: true,
      timeoutMs: 2_000,
      connectTimeoutMs: 1_000,
      connectionsPerOrigin: 4,
      readBodyBytes: 64 * 1024,
      keptBodyBytes: 16 * 1024,
    });
  });

  afterAll(async () => {
    await client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('reaches the allowlisted address', async () => {
    const result = await client.post(`http://127.0.0.1:${port}/ok`, { 'content-type': 'application/json' }, Buffer.from('{}'));
    expect(result).toMatchObject({ succeeded: true, statusCode: 204, failureKind: null });
  });

  it('resolves a name through the guarded lookup and connects only to an allowed answer', async () => {
    // localhost may resolve to ::1 and 127.0.0.1: only 127.0.0.1 is allowed, and used.
    const result = await client.post(`http://localhost:${port}/by-name`, {}, Buffer.from('{}'));
    expect(result).toMatchObject({ succeeded: true, statusCode: 204 });
  });

  it.each([
    ['another loopback address', (p: number) => `http://127.0.0.2:${p}/`],
    ['the IPv6 loopback', (p: number) => `http://[::1]:${p}/`],
    ['a decimal IPv4 literal (127.0.0.2)', (p: number) => `http://2130706434:${p}/`],
    ['an IPv4-mapped IPv6 literal', (p: number) => `http://[::ffff:127.0.0.2]:${p}/`],
  ])('refuses %s without connecting', async (_label, url) => {
    const before = connections;
    const result = await client.post(url(port), {}, Buffer.from('{}'));
    expect(result).toMatchObject({ succeeded: false, failureKind: 'target_refused', statusCode: null });
    expect(connections).toBe(before);
  });

  it('refuses a refused literal on every call, not only the first', async () => {
    const before = connections;
    for (let call = 0; call < 3; call += 1) {
      await expect(client.post(`http://127.0.0.2:${port}/again`, {}, Buffer.from('{}'))).resolves.toMatchObject({ failureKind: 'target_refused' });
    }
    expect(connections).toBe(before);
  });

  it('reads a response body up to its limit, keeps the first part, and joins repeated headers', async () => {
    const result = await client.post(`http://127.0.0.1:${port}/large`, {}, Buffer.from('{}'));
    expect(result).toMatchObject({ succeeded: true, statusCode: 200, failureKind: null, error: null });
    // 16 KiB kept of 2-byte characters: 8 Ki whole characters.
    expect(result.responseBody).toBe('é'.repeat(8 * 1024));
    expect(result.responseHeaders).toMatchObject({ 'content-type': 'text/plain', 'x-many': 'one, two' });
  });

  it('reports the final response after informational ones', async () => {
    const result = await client.post(`http://127.0.0.1:${port}/early-hints`, {}, Buffer.from('{}'));
    expect(result).toMatchObject({ succeeded: true, statusCode: 202, responseBody: 'accepted' });
    expect(result.responseHeaders['x-final']).toBe('yes');
    expect(result.responseHeaders).not.toHaveProperty('link');
  });

  it('fails a redirect without following it', async () => {
    const before = connections;
    const result = await client.post(`http://127.0.0.1:${port}/moved`, {}, Buffer.from('{}'));
    expect(result).toMatchObject({
      succeeded: false,
      statusCode: 302,
      failureKind: 'redirect',
      error: 'redirect 302 to http://127.0.0.1:1/elsewhere not followed',
      responseBody: 'moved',
    });
    expect(connections - before).toBeLessThanOrEqual(1);
  });

  it.each([
    ['a response that never comes', '/silent'],
    ['a response body that stalls', '/stalled-body'],
  ])('times out %s within the total timeout', async (_label, path) => {
    const quick = singleConnectionClient({ timeoutMs: 300 });
    const result = await quick.post(`http://127.0.0.1:${port}${path}`, {}, Buffer.from('{}'));
    await quick.close();
    expect(result).toMatchObject({ succeeded: false, statusCode: null, failureKind: 'timeout', error: 'The operation was aborted due to timeout' });
    expect(result.durationMs).toBeGreaterThanOrEqual(250);
    expect(result.durationMs).toBeLessThan(2_000);
  });

  it('times out a call still queued for a busy connection', async () => {
    const single = singleConnectionClient({ timeoutMs: 300 });
    const [busy, queued] = await Promise.all([
      single.post(`http://127.0.0.1:${port}/silent`, {}, Buffer.from('{}')),
      single.post(`http://127.0.0.1:${port}/silent`, {}, Buffer.from('{}')),
    ]);
    await single.close();
    for (const result of [busy, queued]) {
      expect(result).toMatchObject({ succeeded: false, failureKind: 'timeout', error: 'The operation was aborted due to timeout' });
      expect(result.durationMs).toBeLessThan(2_000);
    }
  });

  it('refuses https-only targets given as http when http is not allowed', async () => {
    const strict = singleConnectionClient({ timeoutMs: 1_000, allowHttp: false });
    const before = connections;
    await expect(strict.post(`http://127.0.0.1:${port}/`, {}, Buffer.from('{}'))).resolves.toMatchObject({ failureKind: 'target_refused' });
    expect(connections).toBe(before);
    await strict.close();
  });
});

describe('classifyError', () => {
  it.each([
    [new TargetRefusedError('no'), 'target_refused'],
    [Object.assign(new Error('x'), { code: 'UND_ERR_CONNECT_TIMEOUT' }), 'connect_timeout'],
    [Object.assign(new Error('x'), { name: 'TimeoutError' }), 'timeout'],
    [Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), 'timeout'],
    [Object.assign(new Error('x'), { code: 'ENOTFOUND' }), 'dns_error'],
    [Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' }), 'tls_error'],
    [Object.assign(new Error('x'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'tls_error'],
    [Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'connection_error'],
    [Object.assign(new Error('fetch failed'), { cause: { code: 'HOOKSTREAM_TARGET_REFUSED', message: 'refused' } }), 'target_refused'],
  ])('classifies %p as %s', (error, kind) => {
    expect(classifyError(error).kind).toBe(kind);
  });
});
