import { describe, expect, it } from 'vitest';
import { createTenantData } from '../../src/simulator/index.js';
import { startStack, useStack } from '../support/stack.js';

// Two tenants with their own tokens; each has 20 repositories of the same names.
const names = Array.from({ length: 20 }, (_, index) => `app-${index}`);
const tenant = (owner: string, idBase: number) =>
  createTenantData({
    domainId: `${owner}-domain`,
    domainName: owner,
    tokens: [`token-${owner}`],
    namespaces: { team: Object.fromEntries(names.map((name) => [name, 30])) },
    idBase,
    tagPrefix: `${owner}-`,
  });
const data = { tenants: [tenant('alice', 1), tenant('bob', 10_000)] };

const dashboard = (count: number, args = 'first: 5') =>
  `{ repositories(refs: [${names
    .slice(0, count)
    .map((name) => `{ namespace: "team", name: "${name}" }`)
    .join(', ')}]) { name syncJobs(${args}) { totalCount nodes { id domainName } } } }`;

const stack = useStack({ data });

describe('concurrent fan-out', () => {
  it('fetches the 20 repositories of a dashboard concurrently, SWR_CONCURRENCY (16) at once', async () => {
    stack.simulator.addFault({ latencyMs: 100 });
    const response = await stack.query(dashboard(20), { token: 'token-alice' });
    expect(response.errors).toBeUndefined();
    expect(response.data.repositories).toHaveLength(20);
    expect(stack.simulator.requests).toHaveLength(20);
    // As the simulator saw them: 16 in flight together, not one after the other.
    expect(stack.simulator.maxInFlight).toBe(16);
  });

  it('keeps at most SWR_CONCURRENCY calls of one operation in flight', async () => {
    const narrow = await startStack({ data, env: { SWR_CONCURRENCY: '2' } });
    try {
      narrow.simulator.addFault({ latencyMs: 100 });
      const response = await narrow.query(dashboard(6), { token: 'token-bob' });
      expect(response.errors).toBeUndefined();
      expect(narrow.simulator.requests).toHaveLength(6);
      expect(narrow.simulator.maxInFlight).toBe(2);
    } finally {
      await narrow.close();
    }
  });
});

describe('callers never share windows', () => {
  it('gives concurrent operations with different tokens their own calls and their own data', async () => {
    stack.simulator.addFault({ latencyMs: 50 });
    const tokens = ['token-alice', 'token-bob', 'token-alice', 'token-bob'];
    const responses = await Promise.all(tokens.map((token) => stack.query(dashboard(3), { token })));
    responses.forEach((response, index) => {
      const owner = tokens[index]!.slice('token-'.length);
      const domains = response.data.repositories.flatMap((repository: { syncJobs: { nodes: Array<{ domainName: string }> } }) =>
        repository.syncJobs.nodes.map((node) => node.domainName),
      );
      expect(new Set(domains)).toEqual(new Set([owner]));
    });
    // Four operations × three repositories, each call made with its own caller's token.
    const byToken = stack.simulator.requests.reduce<Record<string, number>>((counts, request) => {
      counts[request.token!] = (counts[request.token!] ?? 0) + 1;
      return counts;
    }, {});
    expect(byToken).toEqual({ 'token-alice': 6, 'token-bob': 6 });
  });
});
