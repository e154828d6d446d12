import { EVENT_TYPES } from '@hookstream/events';
import { GENERATED_SECTIONS, MissingMarkersError, renderEventCatalog, renderFamilyPayloads, replaceGeneratedSection } from './generated-docs';
import { readRepoText } from './repo-files';

describe('the generated parts of docs/', () => {
  it.each(GENERATED_SECTIONS.map((section) => [section.file, section.name, section]))('%s "%s" is current (else run npm run docs:update)', (file, _name, section) => {
    const markdown = readRepoText(file);
    expect(replaceGeneratedSection(markdown, section.name, section.render())).toBe(markdown);
  });

  it('lists every event type of the catalog once, and every family', () => {
    const catalog = renderEventCatalog();
    const rowTypes = catalog.split('\n').flatMap((line) => /^\| (?:↳ )?`([\w.]+)` \|/.exec(line)?.[1] ?? []);
    expect(rowTypes).toEqual([...EVENT_TYPES]);
    expect(catalog).toContain('| ↳ `Case.StatusUpdated` | `Case.Updated` |');
    expect(renderFamilyPayloads()).toContain('| `Check.*` | `check` | `workspace`, `case`, `individual` or `company` |');
  });

  it('replaces only what is between the markers, and says so when they are missing', () => {
    const doc = 'before\n<!-- catalog:start (generated) -->\nold\n<!-- catalog:end -->\nafter\n';
    expect(replaceGeneratedSection(doc, 'catalog', 'new')).toBe('before\n<!-- catalog:start (generated) -->\nnew\n<!-- catalog:end -->\nafter\n');
    expect(() => replaceGeneratedSection('no markers', 'catalog', 'x')).toThrow(MissingMarkersError);
  });
});
