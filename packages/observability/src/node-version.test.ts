import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SUPPORTED_NODE, unsupportedNodeReason } from './node-version';

describe('the supported Node.js versions', () => {
  it('are the engines range of the root package.json', () => {
    const root = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(root.engines.node).toBe(SUPPORTED_NODE.range);
  });

  it.each(['24.0.0', '24.11.1'])('accept %s', (version) => {
    expect(unsupportedNodeReason(version)).toBeUndefined();
  });

  it.each(['20.20.2', '22.15.0', '23.9.0', '25.0.0', 'nonsense'])('refuse %s, naming it and the range', (version) => {
    expect(unsupportedNodeReason(version)).toBe(`Node.js v${version} is not supported: hookstream needs Node.js >=24 <25 (the engines range of package.json)`);
  });
});
