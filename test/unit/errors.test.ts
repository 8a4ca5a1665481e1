import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { maskError } from '../../src/graphql/mask-error.js';
import {
  SwrBadResponseError,
  SwrHttpError,
  SwrTimeoutError,
  SwrUnavailableError,
  codeFromStatus,
  errorDetailsFromBody,
} from '../../src/swr/errors.js';

describe('upstream status to error code', () => {
  it.each([
    [400, 'UPSTREAM_BAD_REQUEST'],
    [401, 'UNAUTHENTICATED'],
    [403, 'FORBIDDEN'],
    [404, 'NOT_FOUND'],
    [429, 'UPSTREAM_RATE_LIMITED'],
    [500, 'UPSTREAM_ERROR'],
    [502, 'UPSTREAM_ERROR'],
    [503, 'UPSTREAM_ERROR'],
    [504, 'UPSTREAM_ERROR'],
    [418, 'UPSTREAM_ERROR'],
  ])('maps HTTP %i to %s', (status, code) => {
    expect(codeFromStatus(status)).toBe(code);
  });
});

describe('SWR error bodies', () => {
  it.each([
    [
      'the newer shape',
      '{"error_code":"SVCSTG.SWR.4010000","error_msg":"Authenticate failed"}',
      'SVCSTG.SWR.4010000',
      'Authenticate failed',
    ],
    [
      'the older shape',
      '{"errorCode":"SVCSTG.SWR.4040001","errorMessage":"Repository not found","detail":"x"}',
      'SVCSTG.SWR.4040001',
      'Repository not found',
    ],
    [
      'the older shape in an array',
      '[{"errorCode":"SVCSTG.SWR.5000001","errorMessage":"Internal error"}]',
      'SVCSTG.SWR.5000001',
      'Internal error',
    ],
    ['the older shape with only detail', '{"errorCode":"SVCSTG.SWR.4000002","detail":"bad filter"}', 'SVCSTG.SWR.4000002', 'bad filter'],
    ['a body that is not JSON', '<html>502 Bad Gateway</html>', null, null],
    ['an empty body', '', null, null],
    ['JSON of another shape', '{"message":"nope"}', null, null],
  ])('reads %s', (_label, body, errorCode, errorMessage) => {
    expect(errorDetailsFromBody(body)).toEqual({ errorCode, errorMessage, requestId: null });
  });

  it("reads API Gateway's request_id", () => {
    const body = '{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached","request_id":"a1b2"}';
    expect(errorDetailsFromBody(body)).toEqual({
      errorCode: 'APIG.0308',
      errorMessage: 'The throttling threshold has been reached',
      requestId: 'a1b2',
    });
  });

  it('caps an overlong message', () => {
    const details = errorDetailsFromBody(JSON.stringify({ error_code: 'X', error_msg: 'y'.repeat(10_000) }));
    expect(details.errorMessage).toHaveLength(500);
  });
});

// A resolver's throw as graphql-js hands it on: located at a field, the thrown error as originalError.
const located = (error: Error) => new GraphQLError(error.message, { path: ['repository', 'syncJobs'], originalError: error });

describe('the error boundary (maskError)', () => {
  it('lets a located upstream HTTP error through with its code and upstream details', () => {
    const error = located(
      new SwrHttpError({ status: 404, errorCode: 'SVCSTG.SWR.4040001', errorMessage: 'Repository not found', requestId: 'r-1' }),
    );
    const masked = maskError(error, 'Unexpected error.');
    expect(masked).toBe(error);
    expect((masked as GraphQLError).extensions).toEqual({
      code: 'NOT_FOUND',
      upstream: { status: 404, errorCode: 'SVCSTG.SWR.4040001', errorMessage: 'Repository not found', requestId: 'r-1' },
      retryable: false,
      // Status 200, Yoga's internal (never sent): a result without data is then not a 500.
      http: { status: 200 },
    });
    expect(masked.message).toBe('SWR does not know this organization or repository (HTTP 404: Repository not found)');
  });

  it.each([
    [new InvalidInputError('bad'), { code: 'BAD_USER_INPUT' }],
    [new SwrTimeoutError(100), { code: 'UPSTREAM_TIMEOUT', retryable: true }],
    [new SwrUnavailableError('connection refused'), { code: 'UPSTREAM_UNAVAILABLE', retryable: true }],
    [
      new SwrBadResponseError('the body is not JSON', 'r-2'),
      { code: 'UPSTREAM_BAD_RESPONSE', upstream: { status: 200, errorCode: null, errorMessage: null, requestId: 'r-2' }, retryable: false },
    ],
    [
      new SwrHttpError({ status: 429, errorCode: null, errorMessage: null, requestId: null }),
      {
        code: 'UPSTREAM_RATE_LIMITED',
        upstream: { status: 429, errorCode: null, errorMessage: null, requestId: null },
        retryable: true,
        retryAfter: 1,
      },
    ],
  ])('gives %s its code', (error, extensions) => {
    expect((maskError(located(error), 'Unexpected error.') as GraphQLError).extensions).toEqual({ ...extensions, http: { status: 200 } });
  });

  it('gives a domain error thrown outside any field its code too', () => {
    expect((maskError(new InvalidInputError('bad'), 'Unexpected error.') as GraphQLError).extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('masks unexpected errors, at a field and outside one', () => {
    const atField = maskError(located(new TypeError('secret internals')), 'Unexpected error.') as GraphQLError;
    expect({ message: atField.message, path: atField.path, extensions: atField.extensions }).toEqual({
      message: 'Unexpected error.',
      path: ['repository', 'syncJobs'],
      extensions: { code: 'INTERNAL_SERVER_ERROR', unexpected: true },
    });
    const outside = maskError(new TypeError('secret internals'), 'Unexpected error.') as GraphQLError;
    expect({ message: outside.message, extensions: outside.extensions }).toEqual({
      message: 'Unexpected error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR', unexpected: true },
    });
  });

  it('codes graphql-js errors that came without one: the request’s as BAD_USER_INPUT, a field’s as INTERNAL_SERVER_ERROR', () => {
    const request = maskError(new GraphQLError('Variable "$n" got invalid value "x"'), 'Unexpected error.') as GraphQLError;
    expect(request.extensions).toEqual({ code: 'BAD_USER_INPUT', http: { status: 400, spec: true } });
    const field = maskError(
      new GraphQLError('Cannot return null for non-nullable field SyncJob.tag.', { path: ['a'] }),
      'x',
    ) as GraphQLError;
    expect(field.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });
});
