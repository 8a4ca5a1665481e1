import { describe, expect, it } from 'vitest';
import { startStack } from '../support/stack.js';

// What a browser asks before a cross-origin POST, and what it is told.
async function preflight(url: string, origin: string) {
  const response = await fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-auth-token' },
  });
  return {
    status: response.status,
    origin: response.headers.get('access-control-allow-origin'),
    credentials: response.headers.get('access-control-allow-credentials'),
    headers: response.headers.get('access-control-allow-headers'),
  };
}

describe('CORS', () => {
  it('lets any origin call by default, never with credentials, and allows the token header', async () => {
    const stack = await startStack();
    try {
      const answer = await preflight(stack.url, 'https://app.example');
      expect(answer).toMatchObject({ origin: 'https://app.example', credentials: null });
      expect(answer.headers).toContain('x-auth-token');
      const response = await fetch(stack.url, {
        method: 'POST',
        headers: { origin: 'https://app.example', 'content-type': 'application/json', 'x-auth-token': 't' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      expect(response.headers.get('access-control-expose-headers')).toContain('x-request-id');
    } finally {
      await stack.close();
    }
  });

  it('answers only the listed origins with CORS_ORIGINS', async () => {
    const stack = await startStack({ env: { CORS_ORIGINS: 'https://a.example,https://b.example' } });
    try {
      expect((await preflight(stack.url, 'https://b.example')).origin).toBe('https://b.example');
      expect((await preflight(stack.url, 'https://evil.example')).origin).toBe('null');
    } finally {
      await stack.close();
    }
  });

  it('sends no CORS headers with CORS_ORIGINS=none', async () => {
    const stack = await startStack({ env: { CORS_ORIGINS: 'none' } });
    try {
      expect((await preflight(stack.url, 'https://app.example')).origin).toBeNull();
    } finally {
      await stack.close();
    }
  });
});
