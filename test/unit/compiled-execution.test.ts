import { parse, type DocumentNode, type ExecutionArgs } from 'graphql';
import * as jit from 'graphql-jit';
import { describe, expect, it, vi } from 'vitest';
import { useCompiledExecution, type CompiledExecutionOptions } from '../../src/graphql/plugins/use-compiled-execution.js';
import { createSchema } from '../../src/graphql/schema.js';

// When graphql-jit compiles: an operation from its second run, within a memory budget of compiled
// operations (least recently run out first). Counted on graphql-jit's compileQuery itself.
vi.mock('graphql-jit', async (importOriginal) => {
  const real = await importOriginal<typeof import('graphql-jit')>();
  return { ...real, compileQuery: vi.fn(real.compileQuery) };
});
const compileQuery = vi.mocked(jit.compileQuery);
const schema = createSchema();

function executorOf(options?: CompiledExecutionOptions) {
  let execute: ((args: ExecutionArgs) => unknown) | undefined;
  const plugin = useCompiledExecution(options);
  (plugin.onExecute as (payload: { setExecuteFn: (fn: typeof execute) => void }) => void)({ setExecuteFn: (fn) => (execute = fn) });
  return (document: DocumentNode) => execute!({ schema, document, contextValue: {} });
}

describe('compiling with graphql-jit', () => {
  it('compiles an operation at its second run and reuses it after, with the same answer', async () => {
    compileQuery.mockClear();
    const run = executorOf();
    const document = parse('query A { __typename }');
    const first = await run(document);
    expect(compileQuery).not.toHaveBeenCalled();
    expect(await run(document)).toEqual(first);
    expect(await run(document)).toEqual(first);
    expect(compileQuery).toHaveBeenCalledTimes(1);
  });

  it('never compiles a document run once (a flood of distinct documents costs no compilation)', async () => {
    compileQuery.mockClear();
    const run = executorOf();
    for (let index = 0; index < 50; index += 1) await run(parse(`query Q${index} { __typename }`));
    expect(compileQuery).not.toHaveBeenCalled();
  });

  it('keeps compiled operations within the budget: the least recently run go out, one too large is never kept', async () => {
    compileQuery.mockClear();
    const a = parse('query A { __typename }');
    const b = parse('query B { __typename }');
    // Room for one of these two at a time.
    const run = executorOf({ maxCompiledBytes: (a.loc!.end + 1) * 300 });
    for (const document of [a, a, b, b]) await run(document);
    expect(compileQuery).toHaveBeenCalledTimes(2);
    // A went out when B came in: compiled again once it is hot again (two runs).
    await run(a);
    await run(a);
    expect(compileQuery).toHaveBeenCalledTimes(3);
    const large = parse(`query L { ${Array.from({ length: 50 }, (_, index) => `f${index}: __typename`).join(' ')} }`);
    for (let index = 0; index < 4; index += 1) await run(large);
    expect(compileQuery).toHaveBeenCalledTimes(4);
    await run(large);
    expect(compileQuery).toHaveBeenCalledTimes(4);
  });
});
