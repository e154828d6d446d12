import { readFileSync, writeFileSync } from 'node:fs';
import { GENERATED_SECTIONS, replaceGeneratedSection } from '../generated-docs';
import { repoPath } from '../repo-files';

// `npm run docs:update`: rewrites the generated parts of docs/ from the code's data.
for (const file of new Set(GENERATED_SECTIONS.map((section) => section.file))) {
  const before = readFileSync(repoPath(file), 'utf8');
  const after = GENERATED_SECTIONS.filter((section) => section.file === file).reduce(
    (markdown, section) => replaceGeneratedSection(markdown, section.name, section.render()),
    before,
  );
  if (after !== before) writeFileSync(repoPath(file), after);
  console.log(`${file}: ${after === before ? 'up to date' : 'updated'}`);
}
