import { SERVICE_NODE_FLAGS, serviceNodeOptions } from './service-node-flags';

describe('serviceNodeOptions', () => {
  it('puts the service flags first, so that options already given override them', () => {
    expect(serviceNodeOptions('--max-semi-space-size=16 --cpu-prof')).toBe(`${SERVICE_NODE_FLAGS.join(' ')} --max-semi-space-size=16 --cpu-prof`);
  });

  it('is the service flags alone when nothing was given', () => {
    expect(serviceNodeOptions(undefined)).toBe(SERVICE_NODE_FLAGS.join(' '));
  });
});
