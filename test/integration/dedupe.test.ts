import { describe, expect, it } from 'vitest';
import { recordedFilters, useStack } from '../support/stack.js';

const stack = useStack({ inMemory: true });

const calls = () => stack.simulator.requests.map((request) => `${request.namespace}/${request.repository} ${request.filter}`).sort();

describe('one upstream call per distinct lookup in an operation', () => {
  it('answers two aliases with the same arguments from one call', async () => {
    const response = await stack.query(`{
      a: repository(namespace: "demo", name: "nginx") { syncJobs(first: 5) { totalCount nodes { id } } }
      b: repository(namespace: "demo", name: "nginx") { syncJobs(first: 5) { edges { node { tag } } } }
    }`);
    expect(response.errors).toBeUndefined();
    expect(response.data.a.syncJobs.nodes).toHaveLength(5);
    expect(calls()).toEqual(['demo/nginx limit::5|offset::0|order::desc']);
  });

  it('answers duplicate refs of repositories from one call each', async () => {
    const response = await stack.query(`{
      repositories(refs: [
        { namespace: "demo", name: "nginx" }, { namespace: "demo", name: "redis" },
        { namespace: "demo", name: "nginx" }, { namespace: "demo", name: "team/api" },
        { namespace: "demo", name: "redis" }
      ]) { name syncJobs(first: 3) { totalCount } }
    }`);
    expect(response.data.repositories.map((repository: { syncJobs: { totalCount: number } }) => repository.syncJobs.totalCount)).toEqual([
      47, 12, 47, 8, 12,
    ]);
    expect(calls()).toEqual([
      'demo/nginx limit::3|offset::0|order::desc',
      'demo/redis limit::3|offset::0|order::desc',
      'demo/team/api limit::3|offset::0|order::desc',
    ]);
  });

  it('answers a lookup repeated deeper in the operation from the same call', async () => {
    const response = await stack.query(`{
      repository(namespace: "demo", name: "redis") {
        syncJobs(first: 2) {
          nodes { repository { syncJobs(first: 2) { totalCount } } }
        }
      }
    }`);
    expect(response.data.repository.syncJobs.nodes).toEqual([
      { repository: { syncJobs: { totalCount: 12 } } },
      { repository: { syncJobs: { totalCount: 12 } } },
    ]);
    expect(recordedFilters(stack.simulator)).toEqual(['limit::2|offset::0|order::desc']);
  });

  it('keeps different orders apart', async () => {
    await stack.query(`{
      newest: repository(namespace: "demo", name: "nginx") { syncJobs(first: 5) { totalCount } }
      oldest: repository(namespace: "demo", name: "nginx") { syncJobs(first: 5, order: ASC) { totalCount } }
    }`);
    expect(calls()).toEqual(['demo/nginx limit::5|offset::0|order::asc', 'demo/nginx limit::5|offset::0|order::desc']);
  });

  it('does not share lookups between two operations', async () => {
    const query = `{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 5) { totalCount } } }`;
    await stack.query(query);
    await stack.query(query);
    expect(stack.simulator.requests).toHaveLength(2);
  });

  it('fetches distinct repositories concurrently', async () => {
    stack.simulator.addFault({ latencyMs: 400 });
    const response = await stack.query(`{
      repositories(refs: [
        { namespace: "demo", name: "nginx" }, { namespace: "demo", name: "redis" },
        { namespace: "demo", name: "team/api" }, { namespace: "demo", name: "empty" }
      ]) { syncJobs(first: 1) { totalCount } }
    }`);
    expect(response.errors).toBeUndefined();
    expect(stack.simulator.requests).toHaveLength(4);
    // All four were at SWR at once.
    expect(stack.simulator.maxInFlight).toBe(4);
  });
});
