/**
 * The Node.js flags every hookstream service runs with, wherever it is started: the tests'
 * and the bench's processes, the development stack, the services' `npm start`, and the
 * image (`NODE_OPTIONS` in the Dockerfile) say the same.
 *
 * `--max-semi-space-size`: V8 sizes the young generation by the allocation rate, and on
 * a machine with a few GiB free it grows each service's to 64 MiB per semi-space (128 MiB
 * resident, most of every service's heap) under load. At 8 MiB their CPU per delivery
 * did not change measurably (docs/benchmarks.md "Where the memory was").
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/** `NODE_OPTIONS` for a service: these flags first, so that options already given win. */
export function serviceNodeOptions(given: string | undefined): string {
  return [...SERVICE_NODE_FLAGS, given ?? ''].join(' ').trim();
}
