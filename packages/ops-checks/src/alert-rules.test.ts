import { parseDocument, isMap, isSeq, type YAMLMap } from 'yaml';
import {
  OPERATIONS_DOC,
  RULES_FOLDER,
  githubAnchors,
  loadAlertRules,
  loadRecordingRules,
  metricNamesInExpression,
  readRepoText,
  readRepoYaml,
} from './index';

const RUNBOOK_BASE = 'https://github.com/hookstream/hookstream/blob/main/docs/operations.md#';
const SEVERITIES = ['critical', 'warning', 'info'];

const alerts = loadAlertRules();
const thresholds = loadRecordingRules().filter((rule) => rule.record.startsWith('hookstream:alert_threshold:'));

describe('alert rules', () => {
  it('cover what operators must be told', () => {
    expect(alerts.map((rule) => rule.alert).sort()).toEqual(
      [
        'HookstreamConsumerLagGrowing',
        'HookstreamDeadLetters',
        'HookstreamDeliveryFailureRatioHigh',
        'HookstreamDeliveryLatencyHigh',
        'HookstreamRetryTierOverdue',
        'HookstreamServiceDown',
        'HookstreamServiceNotReady',
        'HookstreamWebhookWentOffline',
        'HookstreamWebhooksOfflineSurge',
      ].sort(),
    );
  });

  const anchors = githubAnchors(readRepoText(OPERATIONS_DOC));

  it.each(alerts.map((rule) => [rule.alert, rule] as const))('%s has a severity, a summary, a description and a runbook', (_name, rule) => {
    expect(SEVERITIES).toContain(rule.labels.severity);
    expect(rule.annotations.summary?.length).toBeGreaterThan(10);
    expect(rule.annotations.description?.length).toBeGreaterThan(20);
    expect(rule.annotations.runbook_url?.startsWith(RUNBOOK_BASE)).toBe(true);
    const anchor = rule.annotations.runbook_url?.slice(RUNBOOK_BASE.length) ?? '';
    expect(anchors).toContain(anchor);
  });

  it('compare against named threshold constants that exist, and every constant is used', () => {
    const defined = new Set(thresholds.map((rule) => rule.record));
    const used = new Set(alerts.flatMap((rule) => metricNamesInExpression(rule.expr)).filter((name) => name.startsWith('hookstream:alert_threshold:')));
    expect([...used].filter((name) => !defined.has(name))).toEqual([]);
    expect([...defined].filter((name) => !used.has(name))).toEqual([]);
  });

  it('keep numbers out of the comparisons: thresholds are constants, not literals', () => {
    // A comparison with a literal other than 0 (`> 0`, `== 0`) belongs in thresholds.yml.
    const literalComparisons = alerts
      .filter((rule) => /(>=?|<=?|==|!=)\s*(?!0\b)\d/.test(rule.expr))
      .map((rule) => rule.alert);
    expect(literalComparisons).toEqual([]);
  });

  it('each fire on a synthetic series and stay quiet on another in the promtool unit tests', () => {
    // promtool itself runs them (promtool.integration.test.ts); this checks that none is left out.
    const tests = readRepoYaml('infra/prometheus/tests/alerts.test.yml') as {
      tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
    };
    const cases = tests.tests.flatMap((test) => test.alert_rule_test ?? []);
    const firing = new Set(cases.filter((c) => (c.exp_alerts ?? []).length > 0).map((c) => c.alertname));
    const quiet = new Set(cases.filter((c) => (c.exp_alerts ?? []).length === 0).map((c) => c.alertname));
    expect(alerts.filter((rule) => !firing.has(rule.alert) || !quiet.has(rule.alert)).map((rule) => rule.alert)).toEqual([]);
  });

  it('each threshold constant says why it has its value', () => {
    const document = parseDocument(readRepoText(`${RULES_FOLDER}/thresholds.yml`));
    const groups = document.get('groups');
    const undocumented: string[] = [];
    if (!isSeq(groups)) throw new Error('thresholds.yml: no groups');
    for (const group of groups.items) {
      const rules = (group as YAMLMap).get('rules');
      if (!isSeq(rules)) continue;
      for (const [index, rule] of rules.items.entries()) {
        if (!isMap(rule)) continue;
        // The parser hangs the comment above a list's first item on the list itself.
        const comment = rule.commentBefore ?? (index === 0 ? rules.commentBefore : undefined) ?? '';
        if (comment.trim().split(/\s+/).length < 12) undocumented.push(String(rule.get('record')));
      }
    }
    expect(thresholds.length).toBeGreaterThan(0);
    expect(undocumented).toEqual([]);
  });
});
