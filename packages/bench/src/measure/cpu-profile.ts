import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) that self time needs. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  name: string;
  selfMs: number;
  share: number;
}

function frameName(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const file = frame.url ? frame.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|services|packages)\//, '$1/') : '';
  const name = frame.functionName || '(anonymous)';
  return file ? `${name} ${file}:${frame.lineNumber + 1}` : name;
}

/**
 * Self time per function (samples attributed to the function itself, not its callees),
 * summed over every place it appears in the call tree, largest first; `share` is of the
 * busy time (idle left out), so the figures say where the CPU went.
 */
export function topSelfTime(profile: CpuProfile, count: number): HotFunction[] {
  const nameOf = new Map(profile.nodes.map((node) => [node.id, frameName(node.callFrame)]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  for (const [index, nodeId] of profile.samples.entries()) {
    const delta = profile.timeDeltas[index] ?? 0;
    const name = nameOf.get(nodeId) ?? '(unknown)';
    selfUs.set(name, (selfUs.get(name) ?? 0) + delta);
    if (name !== '(idle)') totalUs += delta;
  }
  return [...selfUs]
    .filter(([name]) => name !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, selfMs: us / 1_000, share: totalUs > 0 ? us / totalUs : 0 }));
}

/** The hottest functions of every profile in a folder (one per process). */
export function summarizeProfiles(dir: string, count: number): HotFunction[][] {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.cpuprofile'));
  } catch {
    return [];
  }
  return files.map((file) => topSelfTime(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile, count));
}
