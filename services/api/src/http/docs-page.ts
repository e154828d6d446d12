import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

// The readable reference at /docs: Redoc's standalone bundle (from the `redoc` npm package,
// copied into the build output by scripts/copy-redoc.cjs and served by this process: no
// CDN, works offline) renders /openapi.json, operations and the `webhooks` section alike,
// with search and request/response samples. The page itself has no inline script, so the
// Content-Security-Policy allows scripts from this origin only.

export const DOCS_SCRIPT_PATH = '/docs/redoc.standalone.js';

/**
 * What the page may load: the bundle and the document from this origin; inline styles
 * (Redoc's styled-components writes <style> elements); and the search index's Web Worker,
 * which the bundle starts from a blob: URL. Nothing from another origin.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  'worker-src blob:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The page: Redoc finds the <redoc> element when its script runs and loads the document. */
export function renderDocsPage(options: { title: string; documentPath: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
</head>
<body>
<redoc spec-url="${escapeHtml(options.documentPath)}" expand-responses="200,201" sort-required-props-first="true"></redoc>
<noscript>This reference needs JavaScript; the document itself is at <a href="${escapeHtml(options.documentPath)}">${escapeHtml(options.documentPath)}</a>.</noscript>
<script src="${DOCS_SCRIPT_PATH}"></script>
</body>
</html>
`;
}

const BUILT_BUNDLE = path.join(__dirname, 'redoc', 'redoc.standalone.js');

/**
 * Redoc's standalone bundle, read once: about 1.1 MB, served with a long cache lifetime.
 * The build copies it beside this file; tests that run from the sources read it from the
 * installed package (a build-time dependency).
 */
export function readDocsScript(): Buffer {
  return readFileSync(existsSync(BUILT_BUNDLE) ? BUILT_BUNDLE : require.resolve('redoc/bundles/redoc.standalone.js'));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
