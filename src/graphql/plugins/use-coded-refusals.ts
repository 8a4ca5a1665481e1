import { createGraphQLError, type Plugin } from 'graphql-yoga';

// Yoga's own answers without a body, and what they tell the client to do.
const EMPTY_REFUSALS: Partial<Record<number, string>> = {
  406: 'Not Acceptable: accept application/graphql-response+json, application/json or text/event-stream',
  415: 'Unsupported Media Type: send the request as application/json (POST) or as query parameters (GET)',
};

/**
 * Gives Yoga's body-less refusals (406 for an Accept header it cannot serve, 415 for a media
 * type it does not read, multipart included) a JSON body with `extensions.code: BAD_REQUEST`, like
 * every other refusal: a client reads one shape of error whatever went wrong. Likewise a GET whose
 * `variables` or `extensions` are not JSON: Yoga's parser lets V8's SyntaxError through, which
 * would be masked as an unexpected error (500); it is the client's mistake, BAD_REQUEST (400).
 */
export function useCodedRefusals(): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      if (request.method !== 'GET' || !requestParser) return;
      setRequestParser(async (incoming) => {
        try {
          return await requestParser(incoming);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          throw createGraphQLError(`\`variables\` or \`extensions\` of the query string are not valid JSON: ${error.message}`, {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
      });
    },
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
