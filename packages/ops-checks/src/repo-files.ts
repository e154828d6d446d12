import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '@hookstream/local-infra';
import { parse as parseYaml } from 'yaml';

/** An absolute path inside the repository. */
export function repoPath(...parts: string[]): string {
  return path.join(findRepoRoot(), ...parts);
}

export function readRepoText(relativePath: string): string {
  return readFileSync(repoPath(relativePath), 'utf8');
}

/**
 * Parses a YAML file of the repository. Merge keys (`<<: *anchor`) are resolved, as
 * Docker Compose does.
 */
export function readRepoYaml(relativePath: string): unknown {
  return parseYaml(readRepoText(relativePath), { merge: true });
}

/** The files of a repository folder whose name ends with `suffix`, as relative paths. */
export function listRepoFiles(relativeFolder: string, suffix: string): string[] {
  return readdirSync(repoPath(relativeFolder))
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => path.posix.join(relativeFolder, name));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
