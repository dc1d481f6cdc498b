import type { CallToolResult } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import type { StepOutcome } from '../../../src/pipelines/pipeline.js';
import { renderTemplate, type TemplateScope } from '../../../src/pipelines/render-template.js';
import {
  compileTemplate,
  describePath,
  referencesIn,
  TemplateError,
} from '../../../src/pipelines/templates.js';

/** A scope with the given input and finished steps (each `ok` with the given result unless stated). */
function scope(
  input: Record<string, unknown> = {},
  steps: Record<string, Partial<StepOutcome> & { result?: CallToolResult }> = {},
  omitted: readonly string[] = [],
): TemplateScope {
  return {
    input: new Map(Object.entries(input)),
    omitted: new Set(omitted),
    steps: new Map(
      Object.entries(steps).map(([id, outcome]) => [
        id,
        { id, server: 's', tool: 't', status: 'ok', durationMs: 1, ...outcome },
      ]),
    ),
  };
}

function render(value: unknown, within: TemplateScope = scope()): unknown {
  return renderTemplate(compileTemplate(value), within);
}

/** The TemplateError `fn` throws; fails when it throws nothing or something else. */
function templateErrorOf(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error('expected a TemplateError');
}

const rows: CallToolResult = {
  content: [
    { type: 'text', text: 'two rows' },
    { type: 'text', text: 'second line' },
  ],
  structuredContent: {
    rows: [
      { id: 7, name: 'Ada', tags: ['a', 'b'] },
      { id: 9, name: 'Bob', tags: [] },
    ],
    count: 2,
    'odd key': true,
  },
};

describe('templates: a string that is exactly one reference', () => {
  it('keeps the JSON type of the value: string, number, boolean, null, object and array', () => {
    const within = scope({ state: 'NY', limit: 5, strict: false, none: null, filter: { a: 1 }, ids: [1, 2] });

    expect(
      render(
        {
          state: '{{input.state}}',
          limit: '{{input.limit}}',
          strict: '{{input.strict}}',
          none: '{{input.none}}',
          filter: '{{input.filter}}',
          ids: '{{input.ids}}',
        },
        within,
      ),
    ).toEqual({ state: 'NY', limit: 5, strict: false, none: null, filter: { a: 1 }, ids: [1, 2] });
  });

  it('reads the joined text content, isError and structuredContent of a finished step', () => {
    const within = scope({}, { q: { result: rows }, bad: { status: 'error', error: 'boom' } });

    expect(
      render(
        {
          text: '{{steps.q.text}}',
          failed: '{{steps.q.isError}}',
          badFailed: '{{steps.bad.isError}}',
          all: '{{steps.q.structured}}',
          count: '{{steps.q.structured.count}}',
          firstId: '{{steps.q.structured.rows[0].id}}',
          tag: '{{steps.q.structured.rows[0].tags[1]}}',
          quoted: '{{steps.q.structured["odd key"]}}',
        },
        within,
      ),
    ).toEqual({
      text: 'two rows\nsecond line',
      failed: false,
      badFailed: true,
      all: rows.structuredContent,
      count: 2,
      firstId: 7,
      tag: 'b',
      quoted: true,
    });
  });

  it('allows whitespace just inside the braces', () => {
    expect(render({ a: '{{  input.state }}' }, scope({ state: 'CA' }))).toEqual({ a: 'CA' });
  });

  it('reads a path into an input value', () => {
    expect(render({ a: '{{input.where.cities[1]}}' }, scope({ where: { cities: ['SF', 'LA'] } }))).toEqual({
      a: 'LA',
    });
  });
});

describe('templates: references inside a longer string', () => {
  it('writes strings as they are and numbers, booleans, null, objects and arrays as JSON', () => {
    const within = scope({ name: 'Ada', n: 3, yes: true, none: null, obj: { a: [1, 'x'] }, list: [1, 2] });

    expect(
      render(
        {
          message:
            'Hi {{input.name}}: {{input.n}} {{input.yes}} {{input.none}} {{input.obj}} {{input.list}}!',
        },
        within,
      ),
    ).toEqual({ message: 'Hi Ada: 3 true null {"a":[1,"x"]} [1,2]!' });
  });

  it('treats a single reference with text around it as a string', () => {
    expect(render({ a: ' {{input.n}}' }, scope({ n: 3 }))).toEqual({ a: ' 3' });
  });

  it('renders templates at any depth of objects and arrays, and never templates keys', () => {
    expect(
      render(
        { '{{input.k}}': { list: ['{{input.k}}', 'x-{{input.k}}', 4, null, { deep: '{{input.k}}' }] } },
        scope({ k: 'v' }),
      ),
    ).toEqual({ '{{input.k}}': { list: ['v', 'x-v', 4, null, { deep: 'v' }] } });
  });

  it('reads \\{{ as a literal {{ and leaves a lone }} alone', () => {
    expect(render({ a: 'use \\{{name}} here }}', b: '\\{{input.x}}' })).toEqual({
      a: 'use {{name}} here }}',
      b: '{{input.x}}',
    });
  });
});

describe('templates: rendering', () => {
  it('builds fresh values, leaving the compiled template and the scope untouched', () => {
    const input = { filter: { a: 1 } };
    const compiled = compileTemplate({ nested: { f: '{{input.filter}}' }, list: [1] });

    const first = renderTemplate(compiled, scope(input)) as { nested: object; list: number[] };
    first.list.push(2);
    const second = renderTemplate(compiled, scope(input));

    expect(second).toEqual({ nested: { f: { a: 1 } }, list: [1] });
  });

  it('keeps a "__proto__" key an ordinary key', () => {
    const params = JSON.parse('{"__proto__": {"polluted": "{{input.x}}"}}') as Record<string, unknown>;

    const rendered = render(params, scope({ x: 'yes' })) as Record<string, unknown>;

    expect(Object.getPrototypeOf(rendered)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(rendered, '__proto__')?.value).toEqual({ polluted: 'yes' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('leaves out a whole-value reference to an optional input that was not given, in objects and arrays', () => {
    expect(render({ a: '{{input.opt}}', b: 1, list: ['{{input.opt}}', 2] }, scope({}, {}, ['opt']))).toEqual({
      b: 1,
      list: [2],
    });
  });
});

describe('templates: values that do not exist fail with an error naming the reference', () => {
  const within = scope(
    { state: 'CA', filter: { a: 1 } },
    {
      q: { result: rows },
      plain: { result: { content: [{ type: 'text', text: 'no structure' }] } },
      broken: { status: 'error', error: 'q.x failed: boom' },
      blocked: { status: 'skipped', error: 'skipped: broken did not succeed' },
    },
    ['opt'],
  );

  it.each([
    ['{{input.missing}}', 'input "missing" was not given'],
    [
      'x {{input.opt}}',
      'input "opt" was not given; an optional input without a default can only be a whole value (which is then left out)',
    ],
    ['{{input.state.code}}', 'input.state is a string, not an object'],
    ['{{input.filter.b}}', 'input.filter has no key "b"'],
    ['{{input.filter[0]}}', 'input.filter is an object, not an array'],
    ['{{steps.q.structured.rows[5].id}}', 'steps.q.structured.rows has no item 5 (it has 2)'],
    ['{{steps.q.structured.rows[0].email}}', 'steps.q.structured.rows[0] has no key "email"'],
    ['{{steps.q.structured.count.value}}', 'steps.q.structured.count is a number, not an object'],
    ['{{steps.plain.structured}}', 'step "plain" returned no structuredContent'],
    ['{{steps.broken.text}}', 'step "broken" has no result (it failed: q.x failed: boom)'],
    ['{{steps.blocked.structured.x}}', 'step "blocked" has no result (it was skipped)'],
    ['{{steps.later.text}}', 'step "later" has not run'],
    ['{{steps.q.structured.constructor}}', 'steps.q.structured has no key "constructor"'],
    ['{{steps.q.structured.rows[0].__proto__}}', 'steps.q.structured.rows[0] has no key "__proto__"'],
  ])('%s fails: %s', (template, detail) => {
    const error = templateErrorOf(() => render({ outer: { value: template } }, within));

    const reference = template.slice(template.indexOf('{{'));
    expect(error.message).toBe(`${reference}: ${detail}`);
    expect(error.at).toEqual(['outer', 'value']);
  });
});

describe('templates: malformed templates fail when compiled, saying where', () => {
  it.each([
    [
      'hello {{input.x',
      '"hello {{input.x": the "{{" at position 6 has no closing "}}" (write \\{{ for a literal "{{")',
    ],
    ['{{}}', '{{}}: empty reference (write \\{{ for a literal "{{")'],
    [
      '{{ name }}',
      '{{ name }}: a reference starts with "input." or "steps." (write \\{{ for a literal "{{")',
    ],
    ['{{input}}', '{{input}}: name the input: {{input.NAME}}'],
    ['{{steps}}', '{{steps}}: name the step: {{steps.ID.text}}'],
    [
      '{{steps.a}}',
      '{{steps.a}}: a step reference names a field: {{steps.a.text}}, {{steps.a.isError}} or ' +
        '{{steps.a.structured}} (followed by a path)',
    ],
    [
      '{{steps.a.result}}',
      '{{steps.a.result}}: steps have no field "result": {{steps.a.text}}, {{steps.a.isError}} or ' +
        '{{steps.a.structured}} (followed by a path)',
    ],
    ['{{steps.a.text.length}}', '{{steps.a.text.length}}: .text is followed by nothing'],
    ['{{steps.a.isError[0]}}', '{{steps.a.isError[0]}}: .isError is followed by nothing'],
    ['{{input.a..b}}', '{{input.a..b}}: unexpected "..b": a path is made of .key, [index] and ["any key"]'],
    ['{{input.a[x]}}', '{{input.a[x]}}: unexpected "[x]": a path is made of .key, [index] and ["any key"]'],
    [
      '{{input.a[-1]}}',
      '{{input.a[-1]}}: unexpected "[-1]": a path is made of .key, [index] and ["any key"]',
    ],
    ['{{input.a["\\q"]}}', '{{input.a["\\q"]}}: "\\q" is not a valid JSON string'],
    [
      '{{input.a[99999999999999999999]}}',
      '{{input.a[99999999999999999999]}}: the index 99999999999999999999 is too large',
    ],
    [
      "{{constructor.constructor('return process')()}}",
      '{{constructor.constructor(\'return process\')()}}: a reference starts with "input." or "steps." ' +
        '(write \\{{ for a literal "{{")',
    ],
    [
      '{{input.x + 1}}',
      '{{input.x + 1}}: unexpected " + 1": a path is made of .key, [index] and ["any key"]',
    ],
  ])('%s', (template, message) => {
    const error = templateErrorOf(() => compileTemplate({ list: [template] }));

    expect(error.message).toBe(message);
    expect(error.at).toEqual(['list', 0]);
  });
});

describe('referencesIn', () => {
  it('lists every reference with where it is, whole values and parts of strings alike', () => {
    const compiled = compileTemplate({
      a: '{{input.x}}',
      b: ['plain', 'n={{steps.s.text}} m={{steps.t.structured.k[1]}}'],
      c: { d: 3 },
    });

    expect(
      referencesIn(compiled).map(({ reference, at }) => [
        reference.source,
        reference.root,
        reference.path,
        at,
      ]),
    ).toEqual([
      ['{{input.x}}', { kind: 'input', name: 'x' }, [], ['a']],
      ['{{steps.s.text}}', { kind: 'step', id: 's', field: 'text' }, [], ['b', 1]],
      ['{{steps.t.structured.k[1]}}', { kind: 'step', id: 't', field: 'structured' }, ['k', 1], ['b', 1]],
    ]);
  });
});

describe('describePath', () => {
  it('writes keys as .key, indexes as [n] and other keys quoted', () => {
    expect(describePath('params', ['filter', 'ids', 0, 'odd key'])).toBe('params.filter.ids[0]["odd key"]');
  });
});
