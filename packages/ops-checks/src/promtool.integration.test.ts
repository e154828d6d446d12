import { ensurePrometheusTools, repoPath, ruleFiles, runPromtool } from './index';

// promtool from Debian's prometheus package (scripts/ensure-prometheus.sh installs it).
let binDir: string;

beforeAll(async () => {
  binDir = await ensurePrometheusTools();
}, 600_000);

describe('promtool', () => {
  it.each([['infra/prometheus/prometheus.yml'], ['infra/prometheus/prometheus.local.yml']])('check config accepts %s and its rule files', async (file) => {
    const result = await runPromtool(binDir, ['check', 'config', file]);
    expect(result.output).toContain('SUCCESS');
    expect(result.output).toMatch(/SUCCESS: \d+ rule files found/);
    expect(result.code).toBe(0);
  });

  it('check rules accepts every rule file', async () => {
    const result = await runPromtool(binDir, ['check', 'rules', ...ruleFiles()]);
    expect(result.output).not.toContain('FAILED');
    expect(result.code).toBe(0);
  });

  it('test rules: every alert fires on its synthetic series and stays quiet on healthy ones', async () => {
    const result = await runPromtool(binDir, ['test', 'rules', 'tests/alerts.test.yml'], repoPath('infra', 'prometheus'));
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('tells a broken rule apart (the checks above can fail)', async () => {
    const result = await runPromtool(binDir, ['check', 'rules', 'packages/ops-checks/src/test-support/broken-rules.yml']);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/parse error|FAILED/);
  });
});
