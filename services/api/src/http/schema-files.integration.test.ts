import { readFileSync } from 'node:fs';
import { DOMAIN_EVENT_AVRO_SCHEMA_PATH, DOMAIN_EVENT_JSON_SCHEMA_PATH } from '@hookstream/events';
import { startTestApi, type TestApi } from '../test-support/api-harness';

jest.setTimeout(60_000);

describe('the domain-event schemas served by the API', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ label: 'schemas' });
  });

  afterAll(async () => {
    await api.close();
  });

  it.each([
    ['/schemas/domain-event.schema.json', DOMAIN_EVENT_JSON_SCHEMA_PATH, 'application/schema+json'],
    ['/schemas/domain-event.avsc', DOMAIN_EVENT_AVRO_SCHEMA_PATH, 'application/json'],
  ])('serves %s without an API key, byte for byte the file in the repository', async (path, file, type) => {
    const response = await fetch(`${api.url}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain(type);
    expect(await response.text()).toBe(readFileSync(file, 'utf8'));
  });
});
