// What the ops checks share: reading infra/ (rules, dashboards, compose), the services'
// configuration shapes and metrics, and running promtool and a throw-away Prometheus.
export { repoPath, readRepoText, readRepoYaml, listRepoFiles, isRecord } from './repo-files';
export { metricNamesInExpression, expandGrafanaVariables, PromqlSyntaxError } from './promql-metric-names';
export { parseMetricFamilies, isExposed, type MetricType } from './metrics-exposition';
export {
  loadAlertRules,
  loadRecordingRules,
  loadDashboards,
  panelsOf,
  dashboardQueries,
  provisionedDatasources,
  ruleFiles,
  SERIES_MADE_BY_MONITORING,
  RULES_FOLDER,
  DASHBOARDS_FOLDER,
  DATASOURCES_FILE,
  DASHBOARD_PROVIDERS_FILE,
  type AlertRule,
  type RecordingRule,
  type GrafanaDashboard,
  type GrafanaPanel,
  type PanelQuery,
} from './monitoring-artifacts';
export {
  stackServices,
  stackFirstMetricsPort,
  describeEnvironment,
  loadServiceConfigShape,
  serviceEnvironments,
  type EnvironmentVariable,
} from './service-config';
export {
  OPERATIONS_DOC,
  githubAnchors,
  formatDefault,
  expectedConfigurationRows,
  documentedConfigurationRows,
  renderConfigurationRow,
  type ConfigurationRow,
} from './operations-doc';
export {
  COMPOSE_FILE,
  loadComposeFile,
  interpolate,
  environmentOf,
  commandOf,
  publishedTargetPorts,
  bindMounts,
  validateAgainstComposeSpec,
  type ComposeFile,
  type ComposeService,
} from './compose-file';
export { ensurePrometheusTools, runPromtool, startPrometheus, type RunningPrometheus, type CommandResult } from './prometheus-process';
export {
  trackedFiles,
  isCheckedForReferences,
  findOutsideReferences,
  markdownLinks,
  checkLink,
  docsCitations,
  headingTexts,
  type OutsideReference,
  type MarkdownLink,
  type BrokenLink,
  type DocsCitation,
} from './standalone-repo';
export { GENERATED_SECTIONS, renderEventCatalog, renderFamilyPayloads, replaceGeneratedSection, MissingMarkersError, type GeneratedSection } from './generated-docs';
