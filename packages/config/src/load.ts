import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: readonly { variable: string; message: string }[]) {
    super(
      `invalid configuration:\n${problems.map((problem) => `  ${problem.variable}: ${problem.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment once against a service's schema and freezes the result. A bad
 * value throws a ConfigError naming every offending variable, so the service stops at
 * start-up instead of failing later on first use.
 */
export function loadConfig<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: Record<string, string | undefined>,
): Readonly<z.infer<z.ZodObject<Shape>>> {
  // Empty strings mean "unset", as in most shells' `VAR= command`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = z.object(shape).safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({ variable: issue.path.join('.') || '(environment)', message: issue.message })),
    );
  }
  return Object.freeze(result.data) as Readonly<z.infer<z.ZodObject<Shape>>>;
}
