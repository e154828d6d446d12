import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Confluent Schema Registry stand-in for tests: the REST calls that
 * @kafkajs/confluent-schema-registry makes to register and fetch schemas (subjects,
 * versions, ids, subject config), kept in memory. The Confluent registry itself is not
 * distributed through the package registries this project may use, so the router's
 * wire-format decoding is tested against this server over real HTTP.
 */
export async function startSchemaRegistry() {
  const schemas: Array<{ schema: string; schemaType: string }> = [];
  const subjects = new Map<string, number[]>();
  const configs = new Map<string, string>();

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
        response.end(JSON.stringify(body));
      };
      const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      const url = new URL(request.url ?? '/', 'http://registry');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const notFound = () => reply(404, { error_code: 40401, message: 'Not found' });

      if (parts[0] === 'config' && parts[1]) {
        if (request.method === 'PUT') {
          configs.set(parts[1], String(body.compatibility));
          return reply(200, { compatibility: body.compatibility });
        }
        const level = configs.get(parts[1]);
        return level ? reply(200, { compatibilityLevel: level }) : notFound();
      }
      if (parts[0] === 'subjects' && parts[1] && parts[2] === 'versions' && request.method === 'POST') {
        const schema = String(body.schema);
        const schemaType = typeof body.schemaType === 'string' ? body.schemaType : 'AVRO';
        let id = schemas.findIndex((entry) => entry.schema === schema && entry.schemaType === schemaType) + 1;
        if (id === 0) {
          schemas.push({ schema, schemaType });
          id = schemas.length;
        }
        const versions = subjects.get(parts[1]) ?? [];
        if (!versions.includes(id)) versions.push(id);
        subjects.set(parts[1], versions);
        return reply(200, { id });
      }
      if (parts[0] === 'schemas' && parts[1] === 'ids' && parts[2]) {
        const entry = schemas[Number(parts[2]) - 1];
        if (!entry) return notFound();
        return reply(200, entry.schemaType === 'AVRO' ? { schema: entry.schema } : entry);
      }
      return notFound();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
