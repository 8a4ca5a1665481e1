import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
import { parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchema } from '../../src/graphql/schema.js';
import { startStack, type Stack } from '../support/stack.js';

// The typed client documents (graphql-codegen's client preset, examples/operations) and the
// frontend guide (the README's "For frontend developers" section).

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OPERATIONS = join(ROOT, 'examples/operations');
const GENERATED = 'examples/operations/__generated__/';
const operationFiles = readdirSync(OPERATIONS)
  .filter((file) => file.endsWith('.graphql'))
  .sort();

describe('typed operations (examples/operations)', () => {
  it('are what graphql-codegen generates from examples/operations and schema/ (run `npm run codegen`)', async () => {
    const { config } = await loadCodegenConfig({ configFilePath: join(ROOT, 'codegen.yml') });
    expect(Object.keys(config.generates)).toContain(GENERATED);
    const outputs = (await generate(
      { ...config, cwd: ROOT, silent: true, generates: { [GENERATED]: config.generates[GENERATED]! } },
      false,
    )) as Array<{
      filename: string;
      content: string;
    }>;

    expect(outputs.map((output) => output.filename.replace(ROOT, '')).sort()).toEqual(
      ['gql.ts', 'graphql.ts', 'index.ts'].map((file) => `${GENERATED}${file}`),
    );
    for (const { filename, content } of outputs)
      expect(readFileSync(join(ROOT, filename.replace(ROOT, '')), 'utf8'), filename).toBe(content);
  });

  it('are valid against the schema the gateway serves', () => {
    expect(operationFiles).toEqual(['RepositoriesDashboard.graphql', 'SyncJobChanges.graphql', 'SyncJobsPage.graphql']);
    const schema = createSchema();
    for (const file of operationFiles) {
      expect(validate(schema, parse(readFileSync(join(OPERATIONS, file), 'utf8'))), file).toEqual([]);
    }
  });
});

// The README's "For frontend developers" section.
function frontendGuide(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## For frontend developers');
  expect(start, 'README.md has no "For frontend developers" section').toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

// Files a code snippet of the guide may be taken from: the examples and the codegen config.
function snippetSources(): Record<string, string> {
  const files = ['codegen.yml', 'package.json'];
  for (const directory of ['examples/relay', 'examples/apollo-client', 'examples/operations']) {
    for (const file of readdirSync(join(ROOT, directory))) if (/\.(tsx?|json|graphql|mjs)$/.test(file)) files.push(`${directory}/${file}`);
  }
  return Object.fromEntries(files.map((file) => [file, readFileSync(join(ROOT, file), 'utf8')]));
}

describe('the frontend guide (README: For frontend developers)', () => {
  const guide = frontendGuide();
  const blocks = [...guide.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, language, code]) => ({
    language: language!,
    code: code!.trimEnd(),
  }));
  const sources = snippetSources();

  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('shows the Relay and Apollo Client setups', () => {
    expect(blocks.map((block) => block.language)).toEqual(expect.arrayContaining(['sh', 'graphql', 'tsx', 'ts', 'json', 'yaml']));
    expect(guide).toContain('@connection(key: "SyncJobList_syncJobs"');
    expect(guide).toContain("syncJobs: relayStylePagination(['order'])");
  });

  it('takes every code snippet verbatim from a file the tests compile or run', () => {
    const code = blocks.filter((block) => ['ts', 'tsx', 'json', 'yaml'].includes(block.language));
    expect(code.length).toBeGreaterThanOrEqual(8);
    for (const { code: snippet } of code) {
      expect(
        Object.keys(sources).filter((file) => sources[file]!.includes(snippet)),
        snippet,
      ).not.toEqual([]);
    }
  });

  it('uses only npm scripts that exist', () => {
    const scripts = (JSON.parse(sources['package.json']!) as { scripts: Record<string, string> }).scripts;
    const commands = blocks.filter((block) => block.language === 'sh').flatMap((block) => block.code.split('\n'));
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      const script = /^npm (?:run )?([\w:-]+)$/.exec(command)?.[1];
      expect(script && script in scripts, command).toBe(true);
    }
  });

  // The README's own rule for its ```graphql blocks (test/integration/readme.test.ts).
  it('has GraphQL examples that answer without errors in demo mode', async () => {
    const queries = blocks.filter((block) => block.language === 'graphql');
    expect(queries.length).toBeGreaterThan(0);
    for (const { code: query } of queries) {
      const response = await stack.query(query, { token: 'any-token' });
      expect(response.errors).toBeUndefined();
      const text = JSON.stringify(response.data);
      expect(text).not.toContain('null}');
      expect(text).toMatch(/"id":"\d+"/);
    }
  });
});
