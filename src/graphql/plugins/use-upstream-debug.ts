import { isAsyncIterable, type Plugin, type YogaInitialContext } from 'graphql-yoga';
import { reportFromEconomy } from '../../economy/upstream-economy.js';
import type { GatewayContext } from '../context.js';

/** The request header that asks for the upstream report. */
export const DEBUG_UPSTREAM_HEADER = 'x-debug-upstream';

/**
 * With `X-Debug-Upstream: 1`, adds `extensions.upstream` to the response: the upstream calls made
 * (repository, filter, status, duration), the lookups deduplicated and the windows coalesced for
 * this operation. Never the token: the report holds none.
 */
export function useUpstreamDebug(): Plugin<GatewayContext & YogaInitialContext> {
  return {
    onExecute({ args }) {
      const context = args.contextValue;
      if (context.request?.headers.get(DEBUG_UPSTREAM_HEADER) !== '1') return;
      return {
        onExecuteDone({ result, setResult }) {
          if (isAsyncIterable(result)) return;
          setResult({ ...result, extensions: { ...result.extensions, upstream: reportFromEconomy(context.economy) } });
        },
      };
    },
  };
}
