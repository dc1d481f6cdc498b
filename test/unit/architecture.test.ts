/**
 * The shape of `src/`, held by tests: no import cycle (type imports included, which the linter's cycle rule does
 * not follow), small files, and folders small enough to read at a glance. Imports are read with TypeScript's own
 * pre-processor, so every form (`import type`, re-exports, dynamic `import()`) counts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const MAX_FILE_LINES = 300;
const MAX_FOLDER_FILES = 12;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return entry.endsWith('.ts') ? [full] : [];
  });
}

/** The `src/` files a file imports, by absolute path (packages and node: modules left out). */
function localImports(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => path.resolve(path.dirname(file), name.replace(/\.js$/, '.ts')));
}

/** The first cycle found, as the files along it (relative to src/), or undefined. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === 'done') return undefined;
    if (state.get(file) === 'visiting') return [...stack.slice(stack.indexOf(file)), file];
    state.set(file, 'visiting');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(file, 'done');
    return undefined;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle.map((member) => path.relative(SRC, member));
  }
  return undefined;
}

const files = sourceFiles(SRC);

describe('the source tree', () => {
  it('has no import cycle, counting type imports', () => {
    const graph = new Map(files.map((file) => [file, localImports(file)]));
    for (const [file, imports] of graph) {
      for (const imported of imports) {
        expect(files, `${path.relative(SRC, file)} imports a file that does not exist`).toContain(imported);
      }
    }

    expect(findCycle(graph)).toBeUndefined();
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    const graph = new Map([
      [path.join(SRC, 'a.ts'), [path.join(SRC, 'b.ts')]],
      [path.join(SRC, 'b.ts'), [path.join(SRC, 'a.ts')]],
    ]);

    expect(findCycle(graph)).toEqual(['a.ts', 'b.ts', 'a.ts']);
  });

  it(`has no file over ${MAX_FILE_LINES} lines`, () => {
    const long = files
      .map((file) => ({
        file: path.relative(SRC, file),
        lines: readFileSync(file, 'utf8').split('\n').length - 1,
      }))
      .filter(({ lines }) => lines > MAX_FILE_LINES);

    expect(long).toEqual([]);
  });

  it(`has no folder with more than ${MAX_FOLDER_FILES} files at its top level`, () => {
    const folders = new Map<string, number>();
    for (const file of files) {
      const folder = path.relative(SRC, path.dirname(file)) || '.';
      folders.set(folder, (folders.get(folder) ?? 0) + 1);
    }
    const crowded = [...folders].filter(([, count]) => count > MAX_FOLDER_FILES);

    expect(crowded).toEqual([]);
  });
});
