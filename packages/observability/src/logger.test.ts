import { Writable } from 'node:stream';
import { createLogger } from './logger';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes JSON with the service name and never the secrets', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ service: 'sender', level: 'info', destination });
    logger.info(
      {
        webhookId: 'w1',
        secret: 'dotsecret.abcdefabcdefabcdefabcdefabcdefabcdef',
        webhook: { secret: 'dotsecret.nested-secret-value-000000000000', url: 'https://example.test' },
        headers: { 'dotfile-signature': 'deadbeef', 'x-dotfile-api-key': 'dotkey.secret' },
      },
      'attempt sent',
    );
    expect(lines).toHaveLength(1);
    const line = lines[0] as string;
    const record = JSON.parse(line);
    expect(record).toMatchObject({ service: 'sender', level: 'info', msg: 'attempt sent', webhookId: 'w1' });
    expect(record.webhook.url).toBe('https://example.test');
    expect(line).not.toContain('dotsecret.');
    expect(line).not.toContain('deadbeef');
    expect(line).not.toContain('dotkey.secret');
  });
});
