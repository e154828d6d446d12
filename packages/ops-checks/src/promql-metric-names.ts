import { parser } from '@prometheus-io/lezer-promql';

/**
 * Grafana's interval variables, replaced by a literal duration so that a panel's query is
 * plain PromQL for the parser and for Prometheus' HTTP API.
 */
export function expandGrafanaVariables(expression: string, rateInterval = '1m'): string {
  return expression
    .replaceAll('$__rate_interval', rateInterval)
    .replaceAll('${__rate_interval}', rateInterval)
    .replaceAll('$__interval', rateInterval)
    .replaceAll('$__range', '1h');
}

export class PromqlSyntaxError extends Error {
  constructor(
    readonly expression: string,
    readonly position: number,
  ) {
    super(`PromQL syntax error at ${position} in: ${expression}`);
    this.name = 'PromqlSyntaxError';
  }
}

/**
 * The metric names an expression selects, read with Prometheus' own PromQL grammar (the
 * one its web UI uses): the identifier of every vector selector, or its `__name__`
 * matcher. Function names, label names, `by (...)` lists and durations are not names.
 */
export function metricNamesInExpression(expression: string): string[] {
  const tree = parser.parse(expression);
  const names = new Set<string>();
  let error: number | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        error ??= node.from;
        return;
      }
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        names.add(expression.slice(node.from, node.to));
      }
      if (node.name === 'UnquotedLabelMatcher') {
        const labelName = node.node.getChild('LabelName');
        const equals = node.node.getChild('MatchOp')?.getChild('EqlSingle');
        const value = node.node.getChild('StringLiteral');
        if (labelName && equals && value && expression.slice(labelName.from, labelName.to) === '__name__') {
          names.add(JSON.parse(expression.slice(value.from, value.to).replace(/^'|'$/g, '"')) as string);
        }
      }
    },
  });
  if (error !== undefined) throw new PromqlSyntaxError(expression, error);
  return [...names].sort();
}
