import { storableJson, storableText } from './storable-text';

describe('storableText', () => {
  it.each([
    ['plain text', 'hello', 'hello'],
    ['a NUL character', 'a\u0000b', 'a\uFFFDb'],
    ['a lone high surrogate', 'x\uD800y', 'x\uFFFDy'],
    ['a lone low surrogate', '\uDC00z', '\uFFFDz'],
    ['a surrogate pair (an emoji)', 'ok \uD83D\uDE00', 'ok \uD83D\uDE00'],
  ])('keeps or replaces %s', (_name, input, expected) => {
    expect(storableText(input)).toBe(expected);
  });

  it('gives the same answer on every call (no regex state kept between calls)', () => {
    expect([storableText('a\u0000'), storableText('b\u0000'), storableText('c\u0000')]).toEqual(['a\uFFFD', 'b\uFFFD', 'c\uFFFD']);
  });
});

describe('storableJson', () => {
  it('cleans every string of a JSON value, keys included, and keeps the rest', () => {
    expect(storableJson({ 'k\u0000': ['v\u0000', 1, true, null, { nested: 'x\uD800' }] })).toEqual({
      'k\uFFFD': ['v\uFFFD', 1, true, null, { nested: 'x\uFFFD' }],
    });
  });
});
