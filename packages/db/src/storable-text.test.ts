import { jsonTextIsStorable, storableJson, storableText } from './storable-text';

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

describe('jsonTextIsStorable', () => {
  it('passes JSON text whose value holds neither character, emoji and other non-ASCII text included', () => {
    const value = {
      'clé': ['ok \uD83D\uDE00', 'tab\there\nnewline', 1, null, true],
      body: JSON.stringify({ nested: 'café "quoted" \\ backslash' }),
    };
    const json = JSON.stringify(value);
    expect(jsonTextIsStorable(json)).toBe(true);
    // What it claims holds: the walk would change nothing.
    expect(storableJson(JSON.parse(json))).toEqual(value);
  });

  it.each([
    ['a NUL in a value', { a: 'x\u0000' }],
    ['a NUL in a key', { 'k\u0000': 1 }],
    ['a lone high surrogate in a key', { 'k\uD800': 1 }],
    ['a lone low surrogate deep in arrays', { a: [['\uDC00']] }],
    ['a NUL in JSON text inside a string (a request body)', { body: JSON.stringify({ a: 'x\u0000' }) }],
    ['a lone surrogate in a key of JSON text inside a string', { body: JSON.stringify({ 'k\uDBFF': 1 }) }],
  ])('sends text with %s to the walk', (_name, value) => {
    const json = JSON.stringify(value);
    expect(jsonTextIsStorable(json)).toBe(false);
  });

  it('sends text to the walk however its escapes are spelt, or a NUL in a request body could pass', () => {
    // The request body is the JSON text {"a":"\u0000"}; the outer text spells the
    // backslash of its escape in three ways.
    const spellings = [
      String.raw`{"body":"{\"a\":\"\\u0000\"}"}`,
      String.raw`{"body":"{\"a\":\"\u005cu0000\"}"}`,
      String.raw`{"body":"{\"a\":\"\u005c\u00750000\"}"}`,
    ];
    for (const json of spellings) {
      const body = (JSON.parse(json) as { body: string }).body;
      expect(JSON.parse(body)).toEqual({ a: '\u0000' });
      expect(jsonTextIsStorable(json)).toBe(false);
    }
  });

  it('sends text with any other \\u escape to the walk too (a control character, an escaped pair)', () => {
    expect(jsonTextIsStorable(String.raw`{"a":"\u001b[0m"}`)).toBe(false);
    expect(jsonTextIsStorable(String.raw`{"a":"\uD83D\uDE00"}`)).toBe(false);
  });
});
