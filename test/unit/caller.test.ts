import { describe, expect, it } from 'vitest';
import { callerFromHeaders, MAX_TOKEN_LENGTH, requireCaller } from '../../src/auth/caller.js';

const headers = (init: Record<string, string>) => new Headers(init);

describe('caller tokens', () => {
  it('takes X-Auth-Token unchanged', () => {
    expect(callerFromHeaders(headers({ 'X-Auth-Token': 'MIIaBc+/=' }))).toMatchObject({ token: 'MIIaBc+/=' });
  });

  it('falls back to Authorization: Bearer', () => {
    expect(callerFromHeaders(headers({ Authorization: 'Bearer tok-1' }))).toMatchObject({ token: 'tok-1' });
    expect(callerFromHeaders(headers({ Authorization: 'bearer   tok-2' }))).toMatchObject({ token: 'tok-2' });
  });

  it('prefers X-Auth-Token over Authorization', () => {
    expect(callerFromHeaders(headers({ 'X-Auth-Token': 'a', Authorization: 'Bearer b' }))).toMatchObject({ token: 'a' });
  });

  it.each([
    ['no headers', {}],
    ['an empty X-Auth-Token', { 'X-Auth-Token': '' }],
    ['Basic authorization', { Authorization: 'Basic dXNlcjpwYXNz' }],
    ['a bare Bearer', { Authorization: 'Bearer ' }],
  ])('finds no caller with %s', (_label, init) => {
    expect(callerFromHeaders(headers(init))).toBeNull();
  });

  it('keeps a hash, not a second copy, for keys', () => {
    const caller = callerFromHeaders(headers({ 'X-Auth-Token': 'secret-token' }));
    expect(caller).toMatchObject({ tokenHash: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(JSON.stringify({ ...caller, token: undefined })).not.toContain('secret-token');
  });

  it('accepts a 32 KiB token and refuses a longer one', () => {
    expect(callerFromHeaders(headers({ 'X-Auth-Token': 'a'.repeat(MAX_TOKEN_LENGTH) }))).toMatchObject({ token: expect.any(String) });
    expect(callerFromHeaders(headers({ 'X-Auth-Token': 'a'.repeat(MAX_TOKEN_LENGTH + 1) }))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a token with non-printable characters', () => {
    expect(callerFromHeaders(headers({ 'X-Auth-Token': 'abc\u00e9' }))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('requireCaller throws UNAUTHENTICATED without a caller', () => {
    expect(() => requireCaller(null)).toThrow(/No token/);
  });
});
