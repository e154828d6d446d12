// kafkajs 2.2.4 arms a throttle timer from an unset deadline, so on Node 24 every process
// using it prints one "TimeoutNegativeWarning: -1796… is a negative number" (Node clamps
// the delay to 1 ms; nothing is wrong; upstream: tulios/kafkajs#1751). That one warning is
// dropped here; every other warning is printed as before. Node's own switch for this,
// `--disable-warning=TimeoutNegativeWarning`, would have to be passed to every `node`
// command line (npm start, each service, the CLI, Docker); this works wherever the
// services run.

let installed = false;

function isTimeoutNegativeWarning(warning: unknown, rest: readonly unknown[]): boolean {
  if (warning instanceof Error) return warning.name === 'TimeoutNegativeWarning';
  const type = rest[0];
  if (typeof type === 'string') return type === 'TimeoutNegativeWarning';
  return typeof type === 'object' && type !== null && (type as { type?: unknown }).type === 'TimeoutNegativeWarning';
}

/** Drops Node's TimeoutNegativeWarning, and only it; idempotent. */
export function silenceTimeoutNegativeWarning(): void {
  if (installed) return;
  installed = true;
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = function filteredEmitWarning(warning: unknown, ...rest: unknown[]): void {
    if (isTimeoutNegativeWarning(warning, rest)) return;
    emitWarning(warning, ...rest);
  } as typeof process.emitWarning;
}
