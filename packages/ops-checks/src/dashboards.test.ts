import {
  DASHBOARD_PROVIDERS_FILE,
  bindMounts,
  dashboardQueries,
  expandGrafanaVariables,
  isRecord,
  loadComposeFile,
  loadDashboards,
  metricNamesInExpression,
  panelsOf,
  provisionedDatasources,
  readRepoYaml,
} from './index';

const dashboards = loadDashboards();
const prometheusDatasource = provisionedDatasources().find((datasource) => datasource.type === 'prometheus');

describe('Grafana dashboards', () => {
  it('are the five the operators need, with unique uids', () => {
    expect(dashboards.map((dashboard) => dashboard.uid).sort()).toEqual(
      ['hookstream-kafka', 'hookstream-overview', 'hookstream-retries', 'hookstream-services', 'hookstream-webhooks'].sort(),
    );
  });

  it.each(dashboards.map((dashboard) => [dashboard.file, dashboard] as const))(
    '%s queries only the provisioned Prometheus data source, with parseable PromQL',
    (_file, dashboard) => {
      expect(prometheusDatasource?.uid).toBeDefined();
      const panels = panelsOf(dashboard);
      expect(panels.length).toBeGreaterThan(2);
      expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
      const problems = panels.flatMap((panel) => {
        const targets = panel.targets ?? [];
        const uids = [panel.datasource?.uid, ...targets.map((target) => target.datasource?.uid ?? panel.datasource?.uid)];
        return [
          ...(targets.length === 0 ? [`${panel.title}: no query`] : []),
          ...uids.filter((uid) => uid !== prometheusDatasource?.uid).map((uid) => `${panel.title}: data source ${uid}`),
        ];
      });
      expect(problems).toEqual([]);
      for (const query of dashboardQueries(dashboard)) {
        expect(metricNamesInExpression(expandGrafanaVariables(query.expr)).length).toBeGreaterThan(0);
      }
    },
  );

  it('are loaded from the folder docker-compose mounts them at', () => {
    const providers = readRepoYaml(DASHBOARD_PROVIDERS_FILE);
    const paths =
      isRecord(providers) && Array.isArray(providers.providers)
        ? providers.providers.map((provider: { options?: { path?: string } }) => provider.options?.path)
        : [];
    const grafana = loadComposeFile().services.grafana;
    expect(grafana).toBeDefined();
    const mounts = bindMounts(grafana ?? {});
    expect(paths).toEqual([mounts.find((mount) => mount.source === 'infra/grafana/dashboards')?.target]);
    expect(mounts.find((mount) => mount.source === 'infra/grafana/provisioning')?.target).toBe('/etc/grafana/provisioning');
  });

  it('use a data source pointing at the compose Prometheus', () => {
    const compose = loadComposeFile();
    const url = new URL(prometheusDatasource?.url ?? '');
    expect(compose.services[url.hostname]?.image).toMatch(/^prom\/prometheus:/);
    expect(url.port).toBe('9090');
  });
});

describe('metricNamesInExpression', () => {
  it('finds selected metrics, not functions, labels, grouping or durations', () => {
    expect(
      metricNamesInExpression(
        'histogram_quantile(0.99, sum by (tier, le) (rate(a_seconds_bucket{tier="1h"}[5m]))) / on (tier) group_left b_total offset 5m > scalar(c:threshold)',
      ),
    ).toEqual(['a_seconds_bucket', 'b_total', 'c:threshold']);
    expect(metricNamesInExpression('{__name__="named_by_matcher", job="x"} and up')).toEqual(['named_by_matcher', 'up']);
  });

  it('rejects what is not PromQL', () => {
    expect(() => metricNamesInExpression('sum(rate(foo[5m])')).toThrow(/syntax error/);
  });

  it('reads Grafana interval variables as durations', () => {
    expect(metricNamesInExpression(expandGrafanaVariables('rate(x_total[$__rate_interval])'))).toEqual(['x_total']);
  });
});
