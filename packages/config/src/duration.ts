/**
 * Durations in configuration are written the way operators say them: `30s`, `1h`,
 * `500ms`, `2d`. A bare number is milliseconds.
 */
const UNIT_TO_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;

/** Parses `30s` into 30000 (milliseconds); returns undefined for anything else. */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = match[2] ?? 'ms';
  const factor = UNIT_TO_MS[unit];
  if (factor === undefined || !Number.isFinite(value)) return undefined;
  return Math.round(value * factor);
}

/** Parses a comma-separated list of durations (`1h,4h,13h,40h`) into milliseconds. */
export function parseDurationListMs(text: string): number[] | undefined {
  const parts = text.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
  if (parts.length === 0) return undefined;
  const values = parts.map(parseDurationMs);
  return values.every((value): value is number => value !== undefined) ? values : undefined;
}

export function formatDurationMs(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const factor = UNIT_TO_MS[unit] as number;
    if (ms >= factor && ms % factor === 0) return `${ms / factor}${unit}`;
  }
  return `${ms}ms`;
}
