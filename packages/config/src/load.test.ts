import { ConfigError, loadConfig } from './load';
import { durationMs, increasingDurationListMs, kafkaEnv, port } from './schema';
import { parseDurationMs } from './duration';

describe('parseDurationMs', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1h', 3_600_000],
    ['1.5s', 1_500],
    ['2d', 172_800_000],
    ['250', 250],
  ])('reads %s as %d ms', (text, expected) => {
    expect(parseDurationMs(text)).toBe(expected);
  });

  it.each(['', 'h', '1x', '-1s', '1 hour'])('rejects %j', (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });
});

describe('loadConfig', () => {
  const shape = {
    API_PORT: port(8080),
    WEBHOOK_TIMEOUT: durationMs('30s'),
    WEBHOOK_RETRY_SCHEDULE: increasingDurationListMs('1h,4h,13h,40h'),
    ...kafkaEnv,
  };

  it('applies defaults and freezes the result', () => {
    const config = loadConfig(shape, {});
    expect(config.API_PORT).toBe(8080);
    expect(config.WEBHOOK_TIMEOUT).toBe(30_000);
    expect(config.WEBHOOK_RETRY_SCHEDULE).toEqual([3_600_000, 14_400_000, 46_800_000, 144_000_000]);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig(shape, { API_PORT: '' }).API_PORT).toBe(8080);
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      loadConfig(shape, { API_PORT: 'eighty', WEBHOOK_TIMEOUT: 'soon', WEBHOOK_RETRY_SCHEDULE: '4h,1h' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).problems.map((problem) => problem.variable).sort();
    expect(variables).toEqual(['API_PORT', 'WEBHOOK_RETRY_SCHEDULE', 'WEBHOOK_TIMEOUT']);
    expect((error as ConfigError).message).toContain('WEBHOOK_TIMEOUT: expected a duration');
  });

  it('rejects a broker list that is not host:port', () => {
    expect(() => loadConfig(shape, { KAFKA_BROKERS: 'localhost' })).toThrow(/KAFKA_BROKERS/);
  });
});
