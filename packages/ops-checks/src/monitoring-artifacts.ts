import { readFileSync } from 'node:fs';
import { isRecord, listRepoFiles, readRepoYaml, repoPath } from './repo-files';

export const RULES_FOLDER = 'infra/prometheus/rules';
export const DASHBOARDS_FOLDER = 'infra/grafana/dashboards';
export const DATASOURCES_FILE = 'infra/grafana/provisioning/datasources/datasources.yml';
export const DASHBOARD_PROVIDERS_FILE = 'infra/grafana/provisioning/dashboards/dashboards.yml';

export interface AlertRule {
  file: string;
  group: string;
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RecordingRule {
  file: string;
  record: string;
  expr: string;
}

function ruleGroups(file: string): Array<{ name: string; rules: Array<Record<string, unknown>> }> {
  const document = readRepoYaml(file);
  if (!isRecord(document) || !Array.isArray(document.groups)) throw new Error(`${file}: no rule groups`);
  return document.groups as Array<{ name: string; rules: Array<Record<string, unknown>> }>;
}

export function ruleFiles(): string[] {
  return listRepoFiles(RULES_FOLDER, '.yml');
}

export function loadAlertRules(): AlertRule[] {
  return ruleFiles().flatMap((file) =>
    ruleGroups(file).flatMap((group) =>
      group.rules
        .filter((rule) => typeof rule.alert === 'string')
        .map((rule) => ({
          file,
          group: group.name,
          alert: rule.alert as string,
          expr: String(rule.expr),
          ...(typeof rule.for === 'string' ? { for: rule.for } : {}),
          labels: (rule.labels ?? {}) as Record<string, string>,
          annotations: (rule.annotations ?? {}) as Record<string, string>,
        })),
    ),
  );
}

export function loadRecordingRules(): RecordingRule[] {
  return ruleFiles().flatMap((file) =>
    ruleGroups(file).flatMap((group) =>
      group.rules
        .filter((rule) => typeof rule.record === 'string')
        .map((rule) => ({ file, record: rule.record as string, expr: String(rule.expr) })),
    ),
  );
}

export interface GrafanaPanel {
  id?: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Array<{ refId: string; expr?: string; datasource?: { type?: string; uid?: string } }>;
  panels?: GrafanaPanel[];
}

export interface GrafanaDashboard {
  file: string;
  uid: string;
  title: string;
  panels: GrafanaPanel[];
}

export function loadDashboards(): GrafanaDashboard[] {
  return listRepoFiles(DASHBOARDS_FOLDER, '.json').map((file) => {
    const json = JSON.parse(readFileSync(repoPath(file), 'utf8')) as Omit<GrafanaDashboard, 'file'>;
    return { ...json, file };
  });
}

/** Every panel of a dashboard, those inside collapsed rows included, rows themselves not. */
export function panelsOf(dashboard: GrafanaDashboard): GrafanaPanel[] {
  const flatten = (panels: GrafanaPanel[]): GrafanaPanel[] =>
    panels.flatMap((panel) => [...(panel.type === 'row' ? [] : [panel]), ...flatten(panel.panels ?? [])]);
  return flatten(dashboard.panels);
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
}

export function dashboardQueries(dashboard: GrafanaDashboard): PanelQuery[] {
  return panelsOf(dashboard).flatMap((panel) =>
    (panel.targets ?? [])
      .filter((target) => typeof target.expr === 'string')
      .map((target) => ({ dashboard: dashboard.uid, panel: panel.title, refId: target.refId, expr: target.expr as string })),
  );
}

/** The provisioned data sources (uid, type, url), from infra/grafana/provisioning. */
export function provisionedDatasources(): Array<{ uid: string; type: string; url: string; name: string }> {
  const document = readRepoYaml(DATASOURCES_FILE);
  if (!isRecord(document) || !Array.isArray(document.datasources)) throw new Error(`${DATASOURCES_FILE}: no datasources`);
  return document.datasources as Array<{ uid: string; type: string; url: string; name: string }>;
}

/**
 * Series that no hookstream service serves on /metrics because the monitoring system
 * makes them: Prometheus itself (`up`, per scrape target) and the blackbox exporter's
 * readiness probe (`probe_success`, job hookstream-readiness in prometheus.yml).
 */
export const SERIES_MADE_BY_MONITORING: ReadonlySet<string> = new Set(['up', 'probe_success']);
