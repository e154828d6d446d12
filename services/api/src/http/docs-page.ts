import { NO_CONTROL_CHARACTERS } from './common-schemas';
import type { OpenApiDocument } from './openapi';

// The readable reference at /docs: one self-contained HTML page rendered on the server
// from the OpenAPI document (no scripts, no CDN assets), so it works offline and always
// says what /openapi.json says.

type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  default?: unknown;
  example?: unknown;
};

const METHODS = ['get', 'post', 'patch', 'put', 'delete'] as const;
const NO_CONTROL_CHARACTERS_PATTERN = NO_CONTROL_CHARACTERS.source;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** `code` spans for backticked words, the rest escaped. */
function prose(text: string | undefined): string {
  if (!text) return '';
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function refName(ref: string): string {
  return ref.split('/').pop() ?? ref;
}

function typeLabel(schema: JsonSchema): string {
  if (schema.$ref) return `<a href="#schema-${escapeHtml(refName(schema.$ref))}">${escapeHtml(refName(schema.$ref))}</a>`;
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : ['any'];
  const label = types
    .map((type) => (type === 'array' && schema.items ? `array of ${typeLabel(schema.items)}` : escapeHtml(type)))
    .join(' | ');
  return schema.format ? `${label} <span class="muted">(${escapeHtml(schema.format)})</span>` : label;
}

function constraints(schema: JsonSchema): string {
  const parts: string[] = [];
  if (schema.enum) {
    const values = schema.enum.map((value) => `<code>${escapeHtml(String(value))}</code>`);
    parts.push(values.length > 12 ? `one of ${values.length} values: ${values.slice(0, 12).join(', ')}, …` : `one of ${values.join(', ')}`);
  }
  if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) parts.push(`≤ ${schema.maximum}`);
  if (schema.minLength !== undefined) parts.push(`length ≥ ${schema.minLength}`);
  if (schema.maxLength !== undefined) parts.push(`length ≤ ${schema.maxLength}`);
  if (schema.minItems !== undefined) parts.push(`≥ ${schema.minItems} items`);
  if (schema.maxItems !== undefined) parts.push(`≤ ${schema.maxItems} items`);
  if (schema.pattern === NO_CONTROL_CHARACTERS_PATTERN) parts.push('no control characters');
  else if (schema.pattern !== undefined && schema.pattern.length <= 80) parts.push(`pattern <code>${escapeHtml(schema.pattern)}</code>`);
  if (schema.default !== undefined) parts.push(`default <code>${escapeHtml(JSON.stringify(schema.default))}</code>`);
  if (schema.items?.enum) parts.push(constraints(schema.items));
  return parts.join('; ');
}

function propertiesTable(schema: JsonSchema): string {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(properties).map(
    ([name, property]) =>
      `<tr><td><code>${escapeHtml(name)}</code>${required.has(name) ? ' <span class="required">required</span>' : ''}</td>` +
      `<td>${typeLabel(property)}</td><td>${prose(property.description)}${property.description && constraints(property) ? '<br>' : ''}<span class="muted">${constraints(property)}</span></td></tr>`,
  );
  if (rows.length === 0) return '<p class="muted">No fields.</p>';
  const closed = schema.additionalProperties === false ? '<p class="muted">Other fields are refused.</p>' : '';
  return `<table><thead><tr><th>Field</th><th>Type</th><th>Notes</th></tr></thead><tbody>${rows.join('')}</tbody></table>${closed}`;
}

function schemaBlock(schema: JsonSchema | undefined): string {
  if (!schema) return '';
  if (schema.$ref) return `<p>${typeLabel(schema)}</p>`;
  if (schema.properties) return propertiesTable(schema);
  return `<p>${typeLabel(schema)} <span class="muted">${constraints(schema)}</span></p>`;
}

interface ParameterObject {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}

function parametersTable(parameters: ParameterObject[]): string {
  if (parameters.length === 0) return '';
  const rows = parameters.map(
    (parameter) =>
      `<tr><td><code>${escapeHtml(parameter.name)}</code>${parameter.required ? ' <span class="required">required</span>' : ''}</td>` +
      `<td>${escapeHtml(parameter.in)}</td><td>${parameter.schema ? typeLabel(parameter.schema) : ''}</td>` +
      `<td>${prose(parameter.description ?? parameter.schema?.description)}${parameter.schema && constraints(parameter.schema) ? ' <span class="muted">' + constraints(parameter.schema) + '</span>' : ''}</td></tr>`,
  );
  return `<h4>Parameters</h4><table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Notes</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

interface MediaObject {
  content?: Record<string, { schema?: JsonSchema }>;
  description?: string;
  required?: boolean;
}

/** A request body's fields are shown in place; a reader should not have to follow a link. */
function resolved(schema: JsonSchema | undefined, schemas: Record<string, JsonSchema>): JsonSchema | undefined {
  if (!schema?.$ref) return schema;
  return schemas[refName(schema.$ref)] ?? schema;
}

function operationSection(method: string, path: string, operation: Record<string, unknown>, schemas: Record<string, JsonSchema>): string {
  const id = String(operation.operationId ?? `${method}-${path}`);
  const parameters = (operation.parameters as ParameterObject[] | undefined) ?? [];
  const requestBody = operation.requestBody as MediaObject | undefined;
  const responses = (operation.responses as Record<string, MediaObject> | undefined) ?? {};
  const security = (operation.security as Array<Record<string, unknown>> | undefined) ?? [];
  const auth = security.map((entry) => Object.keys(entry).join(', ')).join(' or ') || 'none';
  const body = requestBody
    ? `<h4>Request body${requestBody.required ? '' : ' <span class="muted">(optional)</span>'} <span class="muted">application/json</span></h4>${schemaBlock(resolved(requestBody.content?.['application/json']?.schema, schemas))}`
    : '';
  const responseRows = Object.entries(responses)
    .map(([status, response]) => {
      const schema = response.content?.['application/json']?.schema;
      return `<tr><td><code>${escapeHtml(status)}</code></td><td>${prose(response.description)}</td><td>${schema ? typeLabel(schema) : ''}</td></tr>`;
    })
    .join('');
  return `<section class="operation" id="${escapeHtml(id)}">
<h3><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h3>
<p><strong>${prose(String(operation.summary ?? ''))}</strong></p>
<p>${prose(operation.description as string | undefined)}</p>
<p class="muted">Authentication: ${escapeHtml(auth)} · operationId <code>${escapeHtml(id)}</code></p>
${parametersTable(parameters)}${body}
<h4>Responses</h4><table><thead><tr><th>Status</th><th>Meaning</th><th>Body</th></tr></thead><tbody>${responseRows}</tbody></table>
</section>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#fafbfc}
header{background:#1d2330;color:#fff;padding:24px 40px}header p{color:#c9d1e0;max-width:900px}header code{background:#343b4d;color:#fff}
nav{position:fixed;top:0;bottom:0;left:0;width:260px;overflow:auto;padding:16px;background:#fff;border-right:1px solid #e3e6ea;font-size:13px}
nav a{display:block;color:#1d2330;text-decoration:none;padding:2px 0}nav h2{font-size:13px;text-transform:uppercase;color:#6b7385;margin:16px 0 4px}
main{margin-left:292px}.content{padding:8px 40px 60px;max-width:1100px}
.operation{background:#fff;border:1px solid #e3e6ea;border-radius:6px;padding:4px 20px 12px;margin:18px 0}
.method{display:inline-block;min-width:60px;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 6px;vertical-align:middle}
.get{background:#2f7d32}.post{background:#1f5fbf}.patch{background:#a26a00}.put{background:#6a3fb5}.delete{background:#b3261e}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:14px}th,td{text-align:left;border-bottom:1px solid #eceef1;padding:5px 8px;vertical-align:top}
th{color:#6b7385;font-weight:600}code{font:13px ui-monospace,monospace;background:#f1f3f6;padding:1px 4px;border-radius:3px}
.muted{color:#6b7385;font-size:13px}.required{color:#b3261e;font-size:11px;text-transform:uppercase}h4{margin:14px 0 4px}`;

/** The whole page: operations grouped by tag, then every named schema. */
export function renderDocsPage(document: OpenApiDocument): string {
  const schemaComponents = (document.components?.schemas ?? {}) as Record<string, JsonSchema>;
  const tags = (document.tags ?? []).map((tag) => tag.name);
  const byTag = new Map<string, string[]>(tags.map((tag) => [tag, []]));
  const navByTag = new Map<string, string[]>(tags.map((tag) => [tag, []]));
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = (item as Record<string, unknown>)[method] as Record<string, unknown> | undefined;
      if (!operation) continue;
      const tag = ((operation.tags as string[] | undefined) ?? ['Other'])[0] ?? 'Other';
      if (!byTag.has(tag)) {
        byTag.set(tag, []);
        navByTag.set(tag, []);
      }
      byTag.get(tag)?.push(operationSection(method, path, operation, schemaComponents));
      navByTag
        .get(tag)
        ?.push(`<a href="#${escapeHtml(String(operation.operationId))}"><span class="muted">${method.toUpperCase()}</span> ${escapeHtml(path)}</a>`);
    }
  }
  const schemas = Object.entries(schemaComponents)
    .map(
      ([name, schema]) =>
        `<section class="operation" id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3><p>${prose(schema.description)}</p>${schemaBlock(schema)}</section>`,
    )
    .join('\n');
  const nav = [...navByTag]
    .map(([tag, links]) => `<h2>${escapeHtml(tag)}</h2>${links.join('')}`)
    .join('');
  const sections = [...byTag]
    .map(([tag, operations]) => `<h2 id="tag-${escapeHtml(tag)}">${escapeHtml(tag)}</h2>${operations.join('\n')}`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.info.title)} reference</title><style>${STYLE}</style></head>
<body><nav>${nav}<h2>Schemas</h2><a href="#schemas">All schemas</a><h2>Machine-readable</h2><a href="/openapi.json">openapi.json</a></nav>
<main><header><h1>${escapeHtml(document.info.title)} <span class="muted">${escapeHtml(document.info.version)}</span></h1><p>${prose(document.info.description)}</p></header>
<div class="content">${sections}<h2 id="schemas">Schemas</h2>${schemas}</div></main></body></html>`;
}
