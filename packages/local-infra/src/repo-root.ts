import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root: the nearest folder above `from` that holds infra/kafka/pom.xml. */
export function findRepoRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'infra', 'kafka', 'pom.xml'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the hookstream repository root above ${from}`);
    dir = parent;
  }
}
