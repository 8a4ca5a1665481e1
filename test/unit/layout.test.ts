import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The source tree's shape, held: no import cycles, no file asking to be split, nothing pointing
// outside the repository.
const SRC = new URL('../../src/', import.meta.url).pathname;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const full = path.join(directory, entry);
    if (statSync(full).isDirectory()) return entry === 'generated' ? [] : sourceFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

const files = sourceFiles(SRC);
const texts = new Map(files.map((file) => [file, readFileSync(file, 'utf8')]));

// Relative imports that exist at run time (`import type` and `type`-only specifiers vanish).
function runtimeImportsOf(file: string): string[] {
  const text = texts.get(file)!;
  const imports: string[] = [];
  for (const match of text.matchAll(/^import\s+(?!type\s)([^'"]*?)\s*from\s+'(\.[^']+)'/gm)) {
    const names = match[1]!;
    const braces = /\{([^}]*)\}/.exec(names);
    const onlyTypes =
      braces !== null &&
      !names.replace(braces[0], '').replace(',', '').trim() &&
      braces[1]!.split(',').every((name) => /^\s*type\s/.test(name) || !name.trim());
    if (!onlyTypes) imports.push(path.resolve(path.dirname(file), match[2]!.replace(/\.js$/, '.ts')));
  }
  for (const match of text.matchAll(/import\('(\.[^']+)'\)/g))
    imports.push(path.resolve(path.dirname(file), match[1]!.replace(/\.js$/, '.ts')));
  return imports;
}

describe('the source tree', () => {
  it('has no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map((entry) => path.relative(SRC, entry)).join(' → '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of runtimeImportsOf(file)) if (texts.has(next)) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('has no file over 300 lines (generated code aside)', () => {
    const long = files.filter((file) => texts.get(file)!.split('\n').length > 300).map((file) => path.relative(SRC, file));
    expect(long).toEqual([]);
  });

  it('points nowhere outside the repository', () => {
    const outside = files
      .filter((file) => /CONTRACT\.md|\.\.\/shared\/|contract §/.test(texts.get(file)!))
      .map((file) => path.relative(SRC, file));
    expect(outside).toEqual([]);
  });
});
