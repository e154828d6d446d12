import {
  OPERATIONS_DOC,
  documentedConfigurationRows,
  expectedConfigurationRows,
  githubAnchors,
  loadAlertRules,
  readRepoText,
  renderConfigurationRow,
  serviceEnvironments,
} from './index';

const doc = readRepoText(OPERATIONS_DOC);

describe('docs/operations.md configuration table', () => {
  // Read from each service's src/config.ts: a variable added to a service without a row
  // here fails this test, which prints the rows to paste.
  const expected = expectedConfigurationRows(serviceEnvironments());
  const documented = new Map(documentedConfigurationRows(doc).map((row) => [row.variable, row]));

  it('documents every variable a service reads, with its default and the services reading it', () => {
    const wrong = expected.filter((row) => {
      const found = documented.get(row.variable);
      return !found || found.defaultText !== row.defaultText || found.readBy !== row.readBy;
    });
    expect(wrong.map((row) => renderConfigurationRow(row, documented.get(row.variable) ? '(meaning as before)' : ''))).toEqual([]);
  });

  it('documents no variable that no service reads', () => {
    const read = new Set(expected.map((row) => row.variable));
    expect([...documented.keys()].filter((variable) => !read.has(variable))).toEqual([]);
  });
});

describe('docs/operations.md alerts', () => {
  const anchors = githubAnchors(doc);

  it.each(loadAlertRules().map((rule) => [rule.alert, rule] as const))('%s has a section of its own', (alert) => {
    expect(anchors).toContain(alert.toLowerCase());
  });
});

describe('githubAnchors', () => {
  it('slugs headings as GitHub does, numbering repeats and skipping code blocks', () => {
    const anchors = githubAnchors(
      ['# Operating hookstream', '## Scaling: the `router`', '### Retries (4h tier)', '### Retries (4h tier)', '```', '# not a heading', '```'].join(
        '\n',
      ),
    );
    expect([...anchors]).toEqual(['operating-hookstream', 'scaling-the-router', 'retries-4h-tier', 'retries-4h-tier-1']);
  });
});
