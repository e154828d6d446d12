import type { EnvironmentVariable } from './service-config';

export const OPERATIONS_DOC = 'docs/operations.md';

/** The anchors GitHub gives a Markdown file's headings (`### Service down` -> `service-down`). */
export function githubAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (inFence || !heading) continue;
    const text = (heading[1] as string).replace(/`/g, '');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** One row of the configuration table: a variable, its default, the services reading it. */
export interface ConfigurationRow {
  variable: string;
  defaultText: string;
  readBy: string;
}

export function formatDefault(variable: EnvironmentVariable): string {
  if (variable.required) return 'required';
  if (variable.defaultValue === undefined) return 'unset';
  if (variable.defaultValue === '') return 'empty';
  return `\`${variable.defaultValue}\``;
}

/**
 * The rows docs/operations.md must carry, from the services' configuration shapes: one
 * per variable, its default (per service when they differ) and who reads it.
 */
export function expectedConfigurationRows(environments: ReadonlyMap<string, readonly EnvironmentVariable[]>): ConfigurationRow[] {
  const byVariable = new Map<string, Array<{ service: string; defaultText: string }>>();
  for (const [service, variables] of environments) {
    for (const variable of variables) {
      const readers = byVariable.get(variable.name) ?? [];
      readers.push({ service, defaultText: formatDefault(variable) });
      byVariable.set(variable.name, readers);
    }
  }
  const everyService = environments.size;
  return [...byVariable.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([variable, readers]) => {
      const defaults = new Set(readers.map((reader) => reader.defaultText));
      return {
        variable,
        defaultText:
          defaults.size === 1 ? (readers[0] as { defaultText: string }).defaultText : readers.map((r) => `${r.service}: ${r.defaultText}`).join(', '),
        readBy: readers.length === everyService ? 'all' : readers.map((reader) => reader.service).join(', '),
      };
    });
}

/**
 * The rows of the first table under the `## Configuration` heading: columns variable,
 * default, read by, then any meaning.
 */
export function documentedConfigurationRows(markdown: string): ConfigurationRow[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^##\s+Configuration\b/.test(line));
  if (start < 0) return [];
  const rows: ConfigurationRow[] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (/^##\s/.test(line)) break;
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    const cells = line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim());
    const variable = /^`([A-Z0-9_]+)`$/.exec(cells[0] ?? '');
    if (!variable) continue;
    rows.push({ variable: variable[1] as string, defaultText: cells[1] ?? '', readBy: cells[2] ?? '' });
  }
  return rows;
}

export function renderConfigurationRow(row: ConfigurationRow, meaning = ''): string {
  return `| \`${row.variable}\` | ${row.defaultText} | ${row.readBy} | ${meaning} |`;
}
