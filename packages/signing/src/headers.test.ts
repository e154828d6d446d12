import {
  EVENT_ID_HEADER,
  OLD_SIGNATURE_HEADER,
  REMAINING_RETRY_COUNT_HEADER,
  RETRY_COUNT_HEADER,
  SIGNATURE_HEADER,
  maskSignatureHeaders,
  readHeader,
} from './headers';

describe('header names (docs/webhooks.md "Request")', () => {
  it.each([
    [SIGNATURE_HEADER, 'Dotfile-Signature'],
    [OLD_SIGNATURE_HEADER, 'Dotfile-Old-Signature'],
    [EVENT_ID_HEADER, 'Dotfile-Event-Id'],
    [RETRY_COUNT_HEADER, 'Dotfile-Retry-Count'],
    [REMAINING_RETRY_COUNT_HEADER, 'Dotfile-Remaining-Retry-Count'],
  ])('%s', (constant, expected) => {
    expect(constant).toBe(expected);
  });
});

describe('maskSignatureHeaders', () => {
  it('masks both signature headers whatever their case and keeps the others', () => {
    const headers = {
      'Content-Type': 'application/json',
      'Dotfile-Signature': 'a'.repeat(64),
      'dotfile-old-signature': 'b'.repeat(64),
      'Dotfile-Event-Id': '6f1c2a8e-6f4b-5d7e-9a51-0f3c2b1d4e5a',
      'DOTFILE-RETRY-COUNT': '0',
    };
    expect(maskSignatureHeaders(headers)).toEqual({
      'Content-Type': 'application/json',
      'Dotfile-Signature': '<masked>',
      'dotfile-old-signature': '<masked>',
      'Dotfile-Event-Id': '6f1c2a8e-6f4b-5d7e-9a51-0f3c2b1d4e5a',
      'DOTFILE-RETRY-COUNT': '0',
    });
  });

  it('returns a copy and leaves the original untouched', () => {
    const headers = { 'dotfile-signature': 'a'.repeat(64) };
    const masked = maskSignatureHeaders(headers);
    expect(masked).not.toBe(headers);
    expect(headers['dotfile-signature']).toBe('a'.repeat(64));
  });

  it('masks array values whole and leaves absent ones absent', () => {
    expect(
      maskSignatureHeaders<string | string[] | undefined>({ 'dotfile-signature': ['x', 'y'], 'dotfile-old-signature': undefined }),
    ).toEqual({ 'dotfile-signature': '<masked>', 'dotfile-old-signature': undefined });
  });

  it('does not mask headers that only contain the name', () => {
    expect(maskSignatureHeaders({ 'x-dotfile-signature-version': '1' })).toEqual({ 'x-dotfile-signature-version': '1' });
  });
});

describe('readHeader', () => {
  it.each([
    [{ 'dotfile-signature': 'abc' }, 'Dotfile-Signature', 'abc'],
    [{ 'Dotfile-Signature': 'abc' }, 'dotfile-signature', 'abc'],
    [{ 'dotfile-signature': ['first', 'second'] }, 'Dotfile-Signature', 'first'],
    [{ 'dotfile-signature': undefined }, 'Dotfile-Signature', undefined],
    [{}, 'Dotfile-Signature', undefined],
  ])('%j %s → %j', (headers, name, expected) => {
    expect(readHeader(headers, name)).toBe(expected);
  });
});
