/**
 * The Node.js versions hookstream runs on: the `engines` range of the root package.json
 * (a unit test keeps the two equal). An older Node lacks what the services use at run
 * time (zstd in `node:zlib`, for one: a compressed produce would crash), so a service
 * refuses to start on it with a clear message instead.
 */
export const SUPPORTED_NODE = { range: '>=24 <25', minMajor: 24, maxMajorExclusive: 25 } as const;

/** Undefined when `version` (as `process.versions.node`) is supported, else why not. */
export function unsupportedNodeReason(version: string): string | undefined {
  const major = Number.parseInt(version.split('.')[0] ?? '', 10);
  if (Number.isInteger(major) && major >= SUPPORTED_NODE.minMajor && major < SUPPORTED_NODE.maxMajorExclusive) return undefined;
  return `Node.js v${version} is not supported: hookstream needs Node.js ${SUPPORTED_NODE.range} (the engines range of package.json)`;
}
