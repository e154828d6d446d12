import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { githubAnchors } from './operations-doc';

// The repository stands alone: its documents link only to files it holds, and its code,
// comments and tests explain themselves instead of pointing at texts a reader of the
// repository cannot open (an outside contract, a private guide, a tracker's numbers).

/** The files git tracks, relative to the repository root. */
export function trackedFiles(root: string): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter((file) => file !== '' && !file.split('/').includes('node_modules'));
}

/** The files whose text is checked for outside references. */
export function isCheckedForReferences(file: string): boolean {
  if (path.posix.basename(file) === 'package-lock.json') return false;
  return /\.(ts|mts|cts|js|mjs|cjs|md|json|ya?ml|avsc|sh)$/.test(file);
}

/** One place where a file refers to something outside the repository. */
export interface OutsideReference {
  file: string;
  line: number;
  text: string;
  why: string;
}

// Written so that this file's own source does not match them.
const REFERENCE_PATTERNS: Array<{ pattern: RegExp; why: string }> = [
  { pattern: /\.\.\/shared\b|\/work\/shared\b/, why: 'a path outside the repository' },
  { pattern: /(^|[^\w/.-])spec\/[\w.-]+\.md\b/, why: 'a specification file the repository does not hold' },
  { pattern: /\bthe\s+seed\b|\bseed\s+guide\b/i, why: 'a guide the repository does not hold' },
  { pattern: /\bissue\s*#?\s*\d+/i, why: 'an issue number' },
];

/** The lines of `text` that cite a specification, a guide or an issue from outside. */
export function findOutsideReferences(file: string, text: string): OutsideReference[] {
  const found: OutsideReference[] = [];
  text.split('\n').forEach((lineText, index) => {
    for (const { pattern, why } of REFERENCE_PATTERNS) {
      if (pattern.test(lineText)) found.push({ file, line: index + 1, text: lineText.trim(), why });
    }
  });
  return found;
}

/** A Markdown link found in a document (inline `[text](target)` or a reference definition). */
export interface MarkdownLink {
  line: number;
  target: string;
}

/** The links of a Markdown document, outside fenced code blocks and inline code spans. */
export function markdownLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((rawLine, index) => {
    const fenceMatch = /^\s*(```+|~~~+)/.exec(rawLine);
    if (fenceMatch) {
      const marker = (fenceMatch[1] as string).slice(0, 3);
      if (fence === undefined) fence = marker;
      else if (marker === fence) fence = undefined;
      return;
    }
    if (fence !== undefined) return;
    const line = rawLine.replace(/`[^`]*`/g, '');
    for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line: index + 1, target: match[1] as string });
    }
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(line);
    if (definition) links.push({ line: index + 1, target: definition[1] as string });
  });
  return links;
}

/** A link that does not resolve inside the repository. */
export interface BrokenLink {
  file: string;
  line: number;
  target: string;
  why: string;
}

/**
 * Checks one link of `file` (a path relative to `root`): web and mail links are left
 * alone; a relative link must resolve to a tracked file or folder inside the repository,
 * and a `#fragment` into a Markdown file must name one of its headings.
 */
export function checkLink(
  root: string,
  file: string,
  link: MarkdownLink,
  tracked: ReadonlySet<string>,
  readText: (relativePath: string) => string,
): BrokenLink | undefined {
  const { target } = link;
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined;
  const broken = (why: string): BrokenLink => ({ file, line: link.line, target, why });
  const [rawPath = '', fragment] = target.split('#', 2);
  const linkPath = decodeURIComponent(rawPath);
  if (linkPath.startsWith('/')) return broken('an absolute path: write it relative to the document');
  const resolved = linkPath === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), linkPath));
  if (resolved === '..' || resolved.startsWith('../')) return broken('leaves the repository');
  const relative = resolved.replace(/\/$/, '');
  const isFolder = [...tracked].some((tracked) => tracked.startsWith(`${relative}/`));
  if (!tracked.has(relative) && !isFolder) {
    return broken(existsSync(path.join(root, relative)) ? 'names a file git does not track' : 'names a file that does not exist');
  }
  if (fragment !== undefined && fragment !== '' && relative.endsWith('.md') && !isFolder) {
    if (!githubAnchors(readText(relative)).has(fragment.toLowerCase())) return broken(`${relative} has no heading #${fragment}`);
  }
  return undefined;
}

/** A `docs/<page>.md "Heading"` citation in code, which must name a heading of that page. */
export interface DocsCitation {
  file: string;
  line: number;
  page: string;
  heading?: string;
}

export function docsCitations(file: string, text: string): DocsCitation[] {
  const citations: DocsCitation[] = [];
  text.split('\n').forEach((lineText, index) => {
    for (const match of lineText.matchAll(/(?<![\w/.-])(docs\/[\w-]+\.md)(?:#[\w-]+)?(?:,?\s+"([^"\n]+)")?/g)) {
      citations.push({ file, line: index + 1, page: match[1] as string, heading: match[2] });
    }
  });
  return citations;
}

/** The texts of a Markdown document's headings, without emphasis or code marks. */
export function headingTexts(markdown: string): Set<string> {
  const headings = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!inFence && heading) headings.add((heading[1] as string).replace(/[`*_]/g, '').toLowerCase());
  }
  return headings;
}
