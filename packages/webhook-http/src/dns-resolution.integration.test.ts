import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseCidrList } from '@hookstream/target-safety';
import { startDnsServer, type DnsServer } from './test-support/dns-server';
import { createWebhookClient, type WebhookClient } from './webhook-client';

/**
 * Name resolution of webhook calls against a real DNS server on loopback: it must not run
 * on libuv's thread pool (four slow resolutions there stall every call), one slow name
 * must not hold up others, answers are cached for their TTL, and an answer naming a
 * refused address is still refused when connecting.
 */

/** Holds every thread of libuv's pool, as four slow getaddrinfo calls would, until released. */
function holdThreadPool(): () => void {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'hookstream-pool-'));
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const fifos = Array.from({ length: threads }, (_unused, index) => path.join(directory, `fifo-${index}`));
  const readers: Array<number | undefined> = [];
  for (const [index, fifo] of fifos.entries()) {
    execFileSync('mkfifo', [fifo]);
    // Opening a FIFO for reading blocks its pool thread until a writer opens it.
    fs.open(fifo, 'r', (_error, fd) => (readers[index] = fd));
  }
  return () => {
    for (const fifo of fifos) fs.closeSync(fs.openSync(fifo, 'w'));
    setTimeout(() => {
      for (const fd of readers) if (fd !== undefined) fs.close(fd, () => undefined);
      fs.rmSync(directory, { recursive: true, force: true });
    }, 100);
  };
}

async function listen(server: Server, host: string): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

describe('name resolution of webhook calls', () => {
  let dns: DnsServer;
  let receiver: Server;
  let port: number;
  let refusedReceiver: Server;
  let refusedPort: number;
  let refusedConnections = 0;
  let client: WebhookClient;

  beforeAll(async () => {
    dns = await startDnsServer();
    receiver = createServer((_request, response) => response.writeHead(204).end());
    port = await listen(receiver, '127.0.0.1');
    refusedReceiver = createServer((_request, response) => response.writeHead(204).end());
    refusedReceiver.on('connection', () => (refusedConnections += 1));
    refusedPort = await listen(refusedReceiver, '127.0.0.2');
    client = createWebhookClient({
      allowlist: parseCidrList('127.0.0.1/32'),
      allowHttp: true,
      timeoutMs: 30_000,
      connectTimeoutMs: 20_000,
      connectionsPerOrigin: 4,
      readBodyBytes: 1024,
      keptBodyBytes: 1024,
      dns: { servers: [dns.server], timeoutMs: 20_000 },
    });
  });

  afterAll(async () => {
    await client.close();
    await dns.close();
    for (const server of [receiver, refusedReceiver]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  const post = (url: string) => client.post(url, { 'content-type': 'application/json' }, Buffer.from('{}'));

  it('calls localhost and names from the DNS server while every thread of the pool is held', async () => {
    dns.answer('pool.hooks.test', { a: ['127.0.0.1'] });
    const release = holdThreadPool();
    try {
      const [byName, byLocalhost] = await Promise.all([post(`http://pool.hooks.test:${port}/in`), post(`http://localhost:${port}/in`)]);
      expect(byLocalhost).toMatchObject({ succeeded: true, statusCode: 204 });
      expect(byName).toMatchObject({ succeeded: true, statusCode: 204 });
    } finally {
      release();
    }
  });

  it('calls other names while one name is slow to resolve', async () => {
    dns.answer('slow.hooks.test', { a: ['127.0.0.1'], held: true });
    dns.answer('quick.hooks.test', { a: ['127.0.0.1'] });
    let slowSettled = false;
    const slow = post(`http://slow.hooks.test:${port}/in`).finally(() => (slowSettled = true));
    for (let index = 0; index < 8; index += 1) {
      dns.answer(`quick-${index}.hooks.test`, { a: ['127.0.0.1'] });
    }
    const quick = await Promise.all(Array.from({ length: 8 }, (_unused, index) => post(`http://quick-${index}.hooks.test:${port}/in`)));
    expect(quick.every((result) => result.succeeded)).toBe(true);
    expect(slowSettled).toBe(false);
    dns.release('slow.hooks.test');
    await expect(slow).resolves.toMatchObject({ succeeded: true, statusCode: 204 });
  });

  it('asks the DNS server once per name while its answer lives, and again once it has expired', async () => {
    dns.answer('cached.hooks.test', { a: ['127.0.0.1'], ttlSeconds: 1 });
    // Four origins (ports differ) of one name: four connections, one question.
    const servers = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const server = createServer((_request, response) => response.writeHead(204).end());
        return { server, port: await listen(server, '127.0.0.1') };
      }),
    );
    try {
      const results = await Promise.all(servers.map((entry) => post(`http://cached.hooks.test:${entry.port}/in`)));
      expect(results.every((result) => result.succeeded)).toBe(true);
      expect(dns.queriesFor('cached.hooks.test', 'A')).toBe(1);
      // After the TTL, a new connection asks again.
      const deadline = Date.now() + 30_000;
      let attempt = 0;
      while (dns.queriesFor('cached.hooks.test', 'A') < 2 && Date.now() < deadline) {
        const server = servers[attempt % servers.length] as (typeof servers)[number];
        server.server.closeAllConnections(); // drops the keep-alive connection: the next call connects
        await post(`http://cached.hooks.test:${server.port}/in`);
        attempt += 1;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(dns.queriesFor('cached.hooks.test', 'A')).toBe(2);
    } finally {
      for (const entry of servers) {
        entry.server.closeAllConnections();
        entry.server.close();
      }
    }
  });

  it('refuses at connect time a name whose answer is a refused address', async () => {
    dns.answer('private.hooks.test', { a: ['127.0.0.2'] });
    const result = await post(`http://private.hooks.test:${refusedPort}/in`);
    expect(result).toMatchObject({ succeeded: false, failureKind: 'target_refused' });
    expect(result.error).toContain('127.0.0.2');
    expect(refusedConnections).toBe(0);
  });

  it('reports a name the DNS server does not know as a DNS error', async () => {
    const result = await post(`http://unknown.hooks.test:${port}/in`);
    expect(result).toMatchObject({ succeeded: false, failureKind: 'dns_error' });
  });
});
