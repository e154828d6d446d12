import { readFileSync } from 'node:fs';
import { repoPath } from './repo-files';

/**
 * The services `npm start` runs, in its order (which fixes their local metrics ports,
 * 9464 upwards), read from the stack runner itself rather than kept as a second list.
 */
export function stackServices(): string[] {
  const source = readFileSync(repoPath('packages/local-infra/src/cli/dev-stack.ts'), 'utf8');
  const match = /const SERVICES = \[([^\]]*)\] as const/.exec(source);
  if (!match) throw new Error('cannot find `const SERVICES = [...] as const` in dev-stack.ts');
  return [...(match[1] as string).matchAll(/'([a-z-]+)'/g)].map((name) => name[1] as string);
}

/** The first local metrics port `npm start` tries (then the next free ones). */
export function stackFirstMetricsPort(): number {
  const source = readFileSync(repoPath('packages/local-infra/src/cli/dev-stack.ts'), 'utf8');
  const match = /let nextMetricsPort = (\d+);/.exec(source);
  if (!match) throw new Error('cannot find `let nextMetricsPort = N;` in dev-stack.ts');
  return Number(match[1]);
}

interface ZodDefinition {
  type: string;
  defaultValue?: unknown;
  in?: ZodLike;
  innerType?: ZodLike;
}
interface ZodLike {
  _zod: { def: ZodDefinition };
  safeParse(value: unknown): { success: boolean };
}

/** One environment variable a service reads, as its zod shape declares it. */
export interface EnvironmentVariable {
  name: string;
  /** The default as an operator writes it (`30s`, `1h,4h,13h,40h`), before parsing. */
  defaultValue: string | undefined;
  /** No default and not optional: the service does not start without it. */
  required: boolean;
}

/** Follows pipes (`string -> transform -> array`) and wrappers to the declared default. */
function declaredDefault(schema: ZodLike): string | undefined {
  const definition = schema._zod.def;
  if (definition.type === 'default') {
    const value = typeof definition.defaultValue === 'function' ? (definition.defaultValue as () => unknown)() : definition.defaultValue;
    return String(value);
  }
  if (definition.in) return declaredDefault(definition.in);
  if (definition.innerType && definition.type !== 'optional') return declaredDefault(definition.innerType);
  return undefined;
}

export function describeEnvironment(shape: Record<string, unknown>): EnvironmentVariable[] {
  return Object.entries(shape).map(([name, schema]) => {
    const zod = schema as ZodLike;
    return { name, defaultValue: declaredDefault(zod), required: !zod.safeParse(undefined).success };
  });
}

/**
 * A service's configuration shape, loaded from its `src/config.ts` (the one object its
 * `main.ts` parses the environment with). Tests run TypeScript sources through jest's
 * transform, so the service needs no build for this.
 */
export function loadServiceConfigShape(service: string): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the path is data: one config per service folder
  const module = require(repoPath('services', service, 'src', 'config.ts')) as { configShape?: Record<string, unknown> };
  if (!module.configShape) throw new Error(`services/${service}/src/config.ts exports no configShape`);
  return module.configShape;
}

/** Every variable each stack service reads. */
export function serviceEnvironments(): Map<string, EnvironmentVariable[]> {
  return new Map(stackServices().map((service) => [service, describeEnvironment(loadServiceConfigShape(service))]));
}
