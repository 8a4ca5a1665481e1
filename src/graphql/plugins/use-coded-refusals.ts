import type { Plugin } from 'graphql-yoga';

// Yoga's own answers without a body, and what they tell the client to do.
const EMPTY_REFUSALS: Partial<Record<number, string>> = {
  406: 'Not Acceptable: accept application/graphql-response+json, application/json or text/event-stream',
  415: 'Unsupported Media Type: send the request as application/json (POST) or as query parameters (GET)',
};

/**
 * Gives Yoga's body-less refusals (406 for an Accept header it cannot serve, 415 for a media
 * type it does not read, multipart included) a JSON body with `extensions.code: BAD_REQUEST`, like
 * every other refusal: a client reads one shape of error whatever went wrong.
 */
export function useCodedRefusals(): Plugin {
  return {
    onResponse(payload) {
      const { response, fetchAPI } = payload;
      const message = EMPTY_REFUSALS[response.status];
      if (!message || response.body !== null) return;
      const headers = new fetchAPI.Headers(response.headers);
      headers.set('content-type', 'application/json; charset=utf-8');
      const body = JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
      payload.setResponse(new fetchAPI.Response(body, { status: response.status, headers }));
    },
  };
}
