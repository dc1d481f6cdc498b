/**
 * The examples of README.md, SECURITY.md and docs/*.md, run: config examples are loaded by the gateway's own
 * loader, shell examples are run (against the built `dist/cli.js`), tool calls go to a real gateway started as the
 * page says, and what the page shows as their output is compared with what they produced. Every code block is
 * marked: tested, or illustrative with a reason. How to mark one: docs/contributing.md ("Examples in the docs").
 *
 * Each page runs in a temporary copy of the project (see doc-workspace.ts); nothing is written to the checkout.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PROJECT_ROOT } from '../helpers/gateway-process.js';
import { NATIVE_EXAMPLES } from '../helpers/native-examples.js';
import { parseExamples, type DocExample, type ExampleKind } from './markdown-examples.js';
import { PageRunner, type ExampleStep } from './page-runner.js';

const PAGES = [
  'README.md',
  'SECURITY.md',
  ...readdirSync(path.join(PROJECT_ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => `docs/${file}`),
];

/** Blocks compared with what the example before them produced. */
const EXPECTATIONS: ReadonlySet<ExampleKind> = new Set(['output', 'result', 'error-result', 'structured']);

/**
 * Kinds that start the example backends of gateway-config.json, one of which needs a native module built for the
 * Node.js that installed it: skipped, and reported as skipped, where it cannot load (see native-examples.ts), with
 * every example of the page after them.
 */
const NEEDS_BACKENDS: ReadonlySet<ExampleKind> = new Set(['serve', 'gateway', 'call', 'client-entry', 'log']);

/** The page's examples with the expectations that follow each, and what is wrong with the marking. */
function stepsOf(
  examples: readonly DocExample[],
  page: string,
): { steps: ExampleStep[]; problems: string[] } {
  const steps: { example: DocExample; expectations: DocExample[] }[] = [];
  const problems: string[] = [];
  for (const example of examples) {
    if (example.kind === 'illustrative') continue;
    if (!EXPECTATIONS.has(example.kind)) {
      steps.push({ example, expectations: [] });
      continue;
    }
    const last = steps.at(-1);
    if (last) last.expectations.push(example);
    else problems.push(`${page}:${example.line}: "${example.kind}" follows no example`);
  }
  return { steps, problems };
}

for (const page of PAGES) {
  const { examples, problems: markerProblems } = parseExamples(
    readFileSync(path.join(PROJECT_ROOT, page), 'utf8'),
    page,
  );
  const { steps, problems } = stepsOf(examples, page);

  // Pages run concurrently, each in its own workspace; the examples of one page run in order.
  describe.concurrent(page, () => {
    let runner: PageRunner | undefined;

    beforeAll(async () => {
      if (steps.length > 0) runner = await PageRunner.create();
    });

    afterAll(async () => {
      await runner?.close();
    });

    it.sequential('marks every code block as tested or illustrative', () => {
      expect([...markerProblems, ...problems]).toEqual([]);
    });

    // Where the backends cannot run, a page is run up to its first example that starts them: what follows may
    // depend on it.
    const firstNeedingBackends = steps.findIndex((step) => NEEDS_BACKENDS.has(step.example.kind));
    for (const [index, step] of steps.entries()) {
      const { kind, args, line } = step.example;
      const title = `line ${line}: ${kind}${args === '' ? '' : ` ${args}`}`;
      const skip = !NATIVE_EXAMPLES && firstNeedingBackends !== -1 && index >= firstNeedingBackends;
      (skip ? it.skip : it.sequential)(title, async () => {
        if (!runner) throw new Error('the page has no workspace');
        await runner.run(step);
      });
    }
  });
}
