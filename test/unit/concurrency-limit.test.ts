import { describe, expect, it } from 'vitest';
import { createConcurrencyLimit } from '../../src/loaders/concurrency-limit.js';

// A task that finishes when the test says so, recording when it started.
function deferredTask(started: string[], name: string) {
  let settle!: { resolve: (value: string) => void; reject: (error: Error) => void };
  const promise = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  return { task: () => (started.push(name), promise), settle: () => settle };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createConcurrencyLimit', () => {
  it('keeps at most `concurrency` tasks in flight and starts the rest in arrival order', async () => {
    const limit = createConcurrencyLimit(2);
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((name) => deferredTask(started, name));
    const results = tasks.map(({ task }) => limit(task));
    expect(started).toEqual(['a', 'b']);
    tasks[1]!.settle().resolve('B');
    await tick();
    expect(started).toEqual(['a', 'b', 'c']);
    tasks[0]!.settle().reject(new Error('A failed'));
    await tick();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    tasks[2]!.settle().resolve('C');
    tasks[3]!.settle().resolve('D');
    await expect(results[0]).rejects.toThrow('A failed');
    expect(await Promise.all(results.slice(1))).toEqual(['B', 'C', 'D']);
  });

  it('frees the slot of a task that throws before returning a promise', async () => {
    const limit = createConcurrencyLimit(1);
    await expect(
      limit(() => {
        throw new Error('at once');
      }),
    ).rejects.toThrow('at once');
    expect(await limit(() => Promise.resolve('next'))).toBe('next');
  });

  it('starts a task at once when a slot is free', () => {
    const limit = createConcurrencyLimit(1);
    let ran = false;
    void limit(() => ((ran = true), Promise.resolve()));
    expect(ran).toBe(true);
  });

  it('refuses a concurrency that is not a positive integer', () => {
    expect(() => createConcurrencyLimit(0)).toThrow(RangeError);
    expect(() => createConcurrencyLimit(1.5)).toThrow(RangeError);
  });
});
