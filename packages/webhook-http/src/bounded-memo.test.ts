import { boundedMemo } from './bounded-memo';

describe('boundedMemo', () => {
  it('computes once per key and returns the same result after', () => {
    const calls: string[] = [];
    const lengthOf = boundedMemo(10, (key) => {
      calls.push(key);
      return key.length;
    });
    expect([lengthOf('abc'), lengthOf('abc'), lengthOf('de'), lengthOf('abc')]).toEqual([3, 3, 2, 3]);
    expect(calls).toEqual(['abc', 'de']);
  });

  it('remembers undefined results too', () => {
    let calls = 0;
    const nothing = boundedMemo(10, () => {
      calls += 1;
      return undefined;
    });
    nothing('a');
    nothing('a');
    expect(calls).toBe(1);
  });

  it('keeps at most `limit` results, dropping the least recently used first', () => {
    const calls: string[] = [];
    const echo = boundedMemo(2, (key) => {
      calls.push(key);
      return key;
    });
    echo('a');
    echo('b');
    echo('c'); // drops a
    echo('b'); // remembered, and now more recent than c
    echo('a'); // computed again, drops c
    echo('b'); // still remembered
    echo('c'); // computed again, drops a
    expect(calls).toEqual(['a', 'b', 'c', 'a', 'c']);
  });
});
