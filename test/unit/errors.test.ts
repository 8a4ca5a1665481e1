import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { graphQLErrorFrom } from '../../src/graphql/graphql-errors.js';
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
    ['the newer shape', '{"error_code":"SVCSTG.SWR.4010000","error_msg":"Authenticate failed"}', 'SVCSTG.SWR.4010000', 'Authenticate failed'],
    ['the older shape', '{"errorCode":"SVCSTG.SWR.4040001","errorMessage":"Repository not found","detail":"x"}', 'SVCSTG.SWR.4040001', 'Repository not found'],
    ['the older shape in an array', '[{"errorCode":"SVCSTG.SWR.5000001","errorMessage":"Internal error"}]', 'SVCSTG.SWR.5000001', 'Internal error'],
    ['the older shape with only detail', '{"errorCode":"SVCSTG.SWR.4000002","detail":"bad filter"}', 'SVCSTG.SWR.4000002', 'bad filter'],
    ['a body that is not JSON', '<html>502 Bad Gateway</html>', null, null],
    ['an empty body', '', null, null],
    ['JSON of another shape', '{"message":"nope"}', null, null],
  ])('reads %s', (_label, body, errorCode, errorMessage) => {
    expect(errorDetailsFromBody(body)).toEqual({ errorCode, errorMessage });
  });

  it('caps an overlong message', () => {
    const details = errorDetailsFromBody(JSON.stringify({ error_code: 'X', error_msg: 'y'.repeat(10_000) }));
    expect(details.errorMessage).toHaveLength(500);
  });
});

describe('the resolver boundary', () => {
  it('turns an upstream HTTP error into a GraphQL error with code and upstream details', () => {
    const error = graphQLErrorFrom(
      new SwrHttpError({ status: 404, errorCode: 'SVCSTG.SWR.4040001', errorMessage: 'Repository not found', requestId: 'r-1' }),
    );
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions).toEqual({
      code: 'NOT_FOUND',
      upstream: { status: 404, errorCode: 'SVCSTG.SWR.4040001', errorMessage: 'Repository not found', requestId: 'r-1' },
      retryable: false,
    });
    expect((error as GraphQLError).message).toBe('SWR does not know this organization or repository (HTTP 404: Repository not found)');
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
      { code: 'UPSTREAM_RATE_LIMITED', upstream: { status: 429, errorCode: null, errorMessage: null, requestId: null }, retryable: true },
    ],
  ])('gives %s its code', (error, extensions) => {
    expect((graphQLErrorFrom(error) as GraphQLError).extensions).toEqual(extensions);
  });

  it('leaves unexpected errors alone for Yoga to mask', () => {
    const unexpected = new TypeError('secret internals');
    expect(graphQLErrorFrom(unexpected)).toBe(unexpected);
  });
});
