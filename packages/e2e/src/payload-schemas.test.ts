import { createPayloadValidator } from './payload-schemas';
import type { ReceivedRequest } from './receiver';

function received(body: Record<string, unknown>): ReceivedRequest {
  return { path: '/hook', headers: {}, rawBody: Buffer.from(JSON.stringify(body)), body, receivedAt: 0 };
}

const context = { timestamp: 1764072000, event_id: '6f1c2a8e-6f4b-5d7e-9a51-0f3c2b1d4e5a', retry_count: 0, remaining_retry_count: 4, workspace: { id: 'ws', name: 'W' } };

describe('the delivery validator of the end-to-end tests', () => {
  const validator = createPayloadValidator();

  it('accepts a body of the documented shape', () => {
    expect(validator.violations([received({ event: 'Note.Created', context: { ...context, case: { id: 'c' } }, note: { id: 'n', text: 'x' } })])).toEqual([]);
  });

  it('names the call whose body does not match, or whose event is not documented', () => {
    const violations = validator.violations([
      received({ event: 'Note.Created', context, note: { id: 'n' } }),
      received({ event: 'Case.Created', context: { ...context, retry_count: -1 }, case: { id: 'c' } }),
      received({ event: 'Nope.Nothing', context, case: { id: 'c' } }),
    ]);
    expect(violations).toHaveLength(3);
    expect(violations[0]).toMatch(/Note\.Created.*case/);
    expect(violations[1]).toMatch(/retry_count/);
    expect(violations[2]).toMatch(/no webhook "Nope.Nothing"/);
  });
});
