import { describe, expect, it } from 'vitest';
import { tracingEndpointProblem } from '../../src/observability/tracing-types.js';

// Which OTLP endpoint variables stop the start-up: the one the exporter would use, when it could
// not use it (it would fall back to localhost and the traces would go nowhere).

describe('tracingEndpointProblem', () => {
  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example/otlp/' }],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }],
    // The exporter never reads the general one when the traces one is set.
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317' }],
    // A blank traces endpoint is not set: the general one is used.
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '  ', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }],
    [{}],
  ])('accepts %j', (env) => {
    expect(tracingEndpointProblem(env)).toBeNull();
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    // Spaces stay in the URL the exporter builds (a bad port, or a path of `/%20/v1/traces`).
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318 ' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/ ' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' },
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    ],
  ])('refuses %j, naming %s', (env, name) => {
    expect(tracingEndpointProblem(env)).toMatch(new RegExp(`^Invalid ${name}: expected an http:// or https:// URL`));
  });

  it('never repeats the value (an endpoint may carry credentials)', () => {
    expect(tracingEndpointProblem({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://user:secret@collector' })).not.toMatch(/secret/);
  });
});
