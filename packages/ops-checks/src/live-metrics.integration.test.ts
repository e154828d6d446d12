import { randomUUID } from 'node:crypto';
import { createHarness, domainEvent, scrapeMetrics, type Harness, type RunningService } from '@hookstream/e2e';
import { anyFreePort } from '@hookstream/local-infra';
import { waitFor } from '@hookstream/testkit';
import {
  SERIES_MADE_BY_MONITORING,
  dashboardQueries,
  ensurePrometheusTools,
  expandGrafanaVariables,
  isExposed,
  loadAlertRules,
  loadDashboards,
  loadRecordingRules,
  metricNamesInExpression,
  parseMetricFamilies,
  repoPath,
  stackServices,
  startPrometheus,
  type RunningPrometheus,
} from './index';

// The four services run as `npm start` runs them (node services/<name>/dist/main.js),
// against the run's broker and a database of this file's own; a real Prometheus scrapes
// them once a second while a short stream of domain events flows to a real receiver.
const SCRAPE_INTERVAL = '1s';
// What Grafana's $__rate_interval would be at a 1 s scrape: enough samples per window.
const RATE_INTERVAL = '10s';

let harness: Harness;
const running = new Map<string, RunningService>();
let prometheus: RunningPrometheus | undefined;
let binDir: string;
let workspace: { id: string; name: string };

beforeAll(async () => {
  binDir = await ensurePrometheusTools();
  harness = await createHarness('ops-metrics', {
    env: { ADMIN_TOKEN: `ops-${randomUUID()}`, API_PORT: String(await anyFreePort()) },
  });
  workspace = await harness.seed.workspace('Ops metrics');
  await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url('/hooks/ops'), events: ['Case.Updated'] });
  for (const name of stackServices()) running.set(name, await harness.start(name as Parameters<Harness['start']>[0]));
}, 240_000);

afterAll(async () => {
  await prometheus?.stop();
  await harness?.close();
});

/** Every metric name an alert or a dashboard panel uses, with where it is used. */
function metricsInUse(): Map<string, string[]> {
  const recorded = new Set(loadRecordingRules().map((rule) => rule.record));
  const uses = new Map<string, string[]>();
  const note = (name: string, where: string) => {
    if (recorded.has(name) || SERIES_MADE_BY_MONITORING.has(name)) return;
    uses.set(name, [...(uses.get(name) ?? []), where]);
  };
  for (const rule of loadAlertRules()) for (const name of metricNamesInExpression(rule.expr)) note(name, `alert ${rule.alert}`);
  for (const dashboard of loadDashboards()) {
    for (const query of dashboardQueries(dashboard)) {
      for (const name of metricNamesInExpression(expandGrafanaVariables(query.expr))) note(name, `${dashboard.uid} / ${query.panel}`);
    }
  }
  return uses;
}

describe('the running services', () => {
  it('serve on /metrics every metric that an alert or a dashboard panel uses', async () => {
    const families = new Map<string, ReturnType<typeof parseMetricFamilies>>();
    for (const [name, service] of running) families.set(name, parseMetricFamilies(await scrapeMetrics(service)));
    const uses = metricsInUse();
    expect(uses.size).toBeGreaterThan(20);
    const missing = [...uses.entries()]
      .filter(([name]) => ![...families.values()].some((served) => isExposed(name, served)))
      .map(([name, where]) => `${name} (used by ${[...new Set(where)].join('; ')})`);
    expect(missing).toEqual([]);
  });
});

describe('Prometheus scraping the running services', () => {
  beforeAll(async () => {
    const jobs = [...running.entries()].map(
      ([name, service]) => `  - job_name: hookstream-${name}\n    static_configs:\n      - targets: ['127.0.0.1:${service.metricsPort}']\n`,
    );
    const config = [
      'global:',
      `  scrape_interval: ${SCRAPE_INTERVAL}`,
      `  evaluation_interval: ${SCRAPE_INTERVAL}`,
      'rule_files:',
      `  - ${repoPath('infra', 'prometheus', 'rules')}/*.yml`,
      'scrape_configs:',
      ...jobs,
    ].join('\n');
    prometheus = await startPrometheus(binDir, config);
  }, 60_000);

  it('fills every panel of the Overview dashboard while events flow', async () => {
    const overview = loadDashboards().find((dashboard) => dashboard.uid === 'hookstream-overview');
    const queries = dashboardQueries(overview ?? { file: '', uid: '', title: '', panels: [] });
    expect(queries.length).toBeGreaterThan(8);
    const server = prometheus as RunningPrometheus;

    // A short stream: a valid domain event every 200 ms, and every tenth message one the
    // router must dead-letter, so that every overview panel has something to show.
    let sent = 0;
    let streaming = true;
    const stream = (async () => {
      while (streaming && sent < 400) {
        sent += 1;
        await (sent % 10 === 0
          ? harness.publishRaw([{ key: workspace.id, value: '{"not": "a domain event"}' }])
          : harness.publish([
              domainEvent({ type: 'Case.StatusUpdated', workspace, entity: { id: randomUUID(), name: 'Acme SAS', status: 'approved' } }),
            ]));
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    const emptyPanels = async () => {
      const empty: string[] = [];
      for (const query of queries) {
        const result = await server.query(expandGrafanaVariables(query.expr, RATE_INTERVAL));
        const values = result.map((sample) => Number(sample.value[1]));
        if (!values.some((value) => Number.isFinite(value) && value > 0)) empty.push(`${query.panel} [${query.refId}]: ${query.expr}`);
      }
      return empty;
    };
    let lastEmpty: string[] = [];
    try {
      await waitFor(
        async () => {
          lastEmpty = await emptyPanels();
          return lastEmpty.length === 0;
        },
        { description: 'every overview panel to show data', timeoutMs: 75_000, intervalMs: 1_000 },
      ).catch(() => undefined);
    } finally {
      streaming = false;
      await stream;
    }
    expect(harness.receiver.requestsTo('/hooks/ops').length).toBeGreaterThan(0);
    expect(lastEmpty).toEqual([]);
  }, 120_000);

  it('answers every query of every dashboard, and shows the processes and their consumer lag', async () => {
    const server = prometheus as RunningPrometheus;
    const failed: string[] = [];
    for (const dashboard of loadDashboards()) {
      for (const query of dashboardQueries(dashboard)) {
        await server.query(expandGrafanaVariables(query.expr, RATE_INTERVAL)).catch((error: unknown) => failed.push(String(error)));
      }
    }
    expect(failed).toEqual([]);

    const services = loadDashboards().find((dashboard) => dashboard.uid === 'hookstream-services');
    const empty: string[] = [];
    for (const query of dashboardQueries(services ?? { file: '', uid: '', title: '', panels: [] })) {
      if (query.expr.includes('hookstream_http_')) continue; // API traffic: none in this test
      if ((await server.query(expandGrafanaVariables(query.expr, RATE_INTERVAL))).length === 0) empty.push(query.panel);
    }
    expect(empty).toEqual([]);
    const lag = await server.query('max by (topic, group) (hookstream_kafka_consumer_lag)');
    expect(lag.map((sample) => sample.metric.topic)).toContain(harness.topics.domainEvents);
  });

  it('loads every rule and evaluates it without error on the real series', async () => {
    const server = prometheus as RunningPrometheus;
    const response = (await (await fetch(`${server.url}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string; type: string }> }> };
    };
    const rules = response.data.groups.flatMap((group) => group.rules);
    expect(rules.filter((rule) => rule.type === 'alerting').map((rule) => rule.name).sort()).toEqual(
      loadAlertRules()
        .map((rule) => rule.alert)
        .sort(),
    );
    await waitFor(
      async () => {
        const current = (await (await fetch(`${server.url}/api/v1/rules`)).json()) as typeof response;
        return current.data.groups.flatMap((group) => group.rules).every((rule) => rule.health === 'ok');
      },
      { description: 'every rule evaluated once', timeoutMs: 10_000, intervalMs: 500 },
    );
    const final = (await (await fetch(`${server.url}/api/v1/rules`)).json()) as typeof response;
    expect(final.data.groups.flatMap((group) => group.rules).filter((rule) => rule.lastError).map((rule) => `${rule.name}: ${rule.lastError}`)).toEqual([]);
  });
});
