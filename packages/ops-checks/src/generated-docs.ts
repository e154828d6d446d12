import { EVENT_FAMILIES, listCatalog, type ContextRequirement, type EventFamily } from '@hookstream/events';

// Parts of docs/ generated from the code's data, between `<!-- name:start … -->` and
// `<!-- name:end -->` markers: `npm run docs:update` rewrites them, and a unit test fails
// when one is stale.

export interface GeneratedSection {
  file: string;
  name: string;
  render(): string;
}

function requirementText(requirement: ContextRequirement): string {
  return typeof requirement === 'string' ? `\`${requirement}\`` : requirement.anyOf.map((key) => `\`${key}\``).join(' or ');
}

/** The event catalog as Markdown: one table per family, sub-events under their parent. */
export function renderEventCatalog(): string {
  const catalog = listCatalog();
  const families = [...new Set(catalog.map((entry) => entry.family))];
  return families
    .map((family) => {
      const rows = catalog
        .filter((entry) => entry.family === family)
        .map((entry) =>
          entry.parent === null
            ? `| \`${entry.type}\` | | ${entry.description} |`
            : `| ↳ \`${entry.type}\` | \`${entry.parent}\` | ${entry.description} |`,
        );
      return [`**${family}**`, '', '| event | sub-event of | when |', '| --- | --- | --- |', ...rows].join('\n');
    })
    .join('\n\n');
}

/** Where each family's entity sits in the payload, and the context it carries. */
export function renderFamilyPayloads(): string {
  const rows = (Object.entries(EVENT_FAMILIES) as Array<[EventFamily, (typeof EVENT_FAMILIES)[EventFamily]]>).map(([family, definition]) => {
    const context = ['`workspace`', ...(definition.requiredContext as readonly ContextRequirement[]).map(requirementText)].join(', ');
    return `| \`${family}.*\` | \`${definition.payloadKey}\` | ${context} |`;
  });
  return ['| events | entity key | context |', '| --- | --- | --- |', ...rows].join('\n');
}

export const GENERATED_SECTIONS: readonly GeneratedSection[] = [
  { file: 'docs/webhooks.md', name: 'catalog', render: renderEventCatalog },
  { file: 'docs/webhooks.md', name: 'families', render: renderFamilyPayloads },
];

export class MissingMarkersError extends Error {}

/** `markdown` with the section between its markers replaced by `content`. */
export function replaceGeneratedSection(markdown: string, name: string, content: string): string {
  const start = new RegExp(`(<!-- ${name}:start[^\\n]*-->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`);
  if (!start.test(markdown)) throw new MissingMarkersError(`no <!-- ${name}:start --> … <!-- ${name}:end --> markers`);
  return markdown.replace(start, (_match, open: string, close: string) => `${open}${content}\n${close}`);
}
