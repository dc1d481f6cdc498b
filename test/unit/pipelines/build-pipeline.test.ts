import { describe, expect, it } from 'vitest';

import type { PipelineConfig } from '../../../src/pipelines/pipeline-schema.js';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import {
  buildPipeline,
  checkPipelineConfig,
  PipelineDefinitionError,
} from '../../../src/pipelines/build-pipeline.js';
import type { Pipeline } from '../../../src/pipelines/pipeline.js';
import { PipelineCatalog } from '../../../src/pipelines/pipeline-catalog.js';
import { demoPipeline } from '../../helpers/demo-pipelines.js';

/** The error `fn` throws; fails when it throws nothing. */
function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/** The definition error building `config` throws. */
function definitionError(config: PipelineConfig, name = 'p'): PipelineDefinitionError {
  const error = thrownBy(() => buildPipeline(name, config));
  expect(error).toBeInstanceOf(PipelineDefinitionError);
  return error as PipelineDefinitionError;
}

/** Each step's id, server, tool, after and optional flag. */
function shapeOf(pipeline: Pipeline | undefined): unknown[] {
  return (pipeline?.steps ?? []).map((step) => [step.id, step.server, step.tool, step.after, step.optional]);
}

describe('buildPipeline', () => {
  it('keeps given ids, numbers the others step<N> by position, and defaults params, after, timeout and optional', () => {
    const pipeline = buildPipeline('mixed', {
      description: 'a test pipeline',
      steps: [
        { server: 'a', tool: 'x' },
        {
          id: 'named',
          server: 'b',
          tool: 'y',
          params: { n: 1 },
          after: ['step1'],
          timeoutMs: 500,
          optional: true,
        },
        { server: 'c', tool: 'z', after: ['step1', 'named'] },
      ],
    });

    expect(pipeline.name).toBe('mixed');
    expect(pipeline.description).toBe('a test pipeline');
    expect(pipeline.inputs).toEqual([]);
    expect(
      pipeline.steps.map(({ id, server, tool, params, after, timeoutMs, optional }) => ({
        id,
        server,
        tool,
        params,
        after,
        timeoutMs,
        optional,
      })),
    ).toEqual([
      { id: 'step1', server: 'a', tool: 'x', params: {}, after: [], timeoutMs: undefined, optional: false },
      {
        id: 'named',
        server: 'b',
        tool: 'y',
        params: { n: 1 },
        after: ['step1'],
        timeoutMs: 500,
        optional: true,
      },
      {
        id: 'step3',
        server: 'c',
        tool: 'z',
        params: {},
        after: ['step1', 'named'],
        timeoutMs: undefined,
        optional: false,
      },
    ]);
  });

  it('lets after name a step written later: order in the list does not matter', () => {
    const pipeline = buildPipeline('diamond', {
      steps: [
        { id: 'd', server: 's', tool: 'd', after: ['b', 'c'] },
        { id: 'b', server: 's', tool: 'b', after: ['a'] },
        { id: 'c', server: 's', tool: 'c', after: ['a'] },
        { id: 'a', server: 's', tool: 'a' },
      ],
    });

    expect(shapeOf(pipeline)).toEqual([
      ['d', 's', 'd', ['b', 'c'], false],
      ['b', 's', 'b', ['a'], false],
      ['c', 's', 'c', ['a'], false],
      ['a', 's', 'a', [], false],
    ]);
  });

  it('rejects a step reusing the id of an earlier step, naming the pipeline and the step', () => {
    const error = definitionError(
      {
        steps: [
          { id: 'same', server: 'a', tool: 'x' },
          { id: 'same', server: 'b', tool: 'y' },
        ],
      },
      'dup',
    );

    expect(error).toBeInstanceOf(GatewayError);
    expect(error.code).toBe('invalid_input');
    expect(error.message).toBe('pipeline "dup", step "same": the id is used by an earlier step');
    expect(error.path).toEqual(['steps', 1, 'id']);
  });

  it('rejects an explicit id that collides with a generated one', () => {
    expect(
      definitionError(
        {
          steps: [
            { id: 'step2', server: 'a', tool: 'x' },
            { server: 'b', tool: 'y' },
          ],
        },
        'clash',
      ).message,
    ).toBe(
      'pipeline "clash", step "step2": step 2 has no id and its default id "step2" is taken by an earlier step: ' +
        'give it an id',
    );
  });

  it('rejects after naming a step that does not exist, listing the steps', () => {
    const error = definitionError(
      {
        steps: [
          { id: 'a', server: 's', tool: 'x' },
          { id: 'b', server: 's', tool: 'y', after: ['a', 'nope'] },
        ],
      },
      'ghost',
    );

    expect(error.message).toBe(
      'pipeline "ghost", step "b": "after" names "nope", which is not a step of this pipeline (its steps: a, b)',
    );
    expect(error.path).toEqual(['steps', 1, 'after', 1]);
  });

  it('reports a cycle as a cycle, with its path', () => {
    const error = definitionError(
      {
        steps: [
          { id: 'start', server: 's', tool: 'x' },
          { id: 'a', server: 's', tool: 'x', after: ['start', 'c'] },
          { id: 'b', server: 's', tool: 'y', after: ['a'] },
          { id: 'c', server: 's', tool: 'z', after: ['b'] },
        ],
      },
      'loop',
    );

    expect(error.message).toBe('pipeline "loop", step "a": "after" makes a cycle: a -> c -> b -> a');
    expect(error.path).toEqual(['steps', 1, 'after']);
  });

  it('reports a step waiting for itself as a cycle', () => {
    expect(
      definitionError({ steps: [{ id: 'a', server: 's', tool: 'x', after: ['a'] }] }, 'self').message,
    ).toBe('pipeline "self", step "a": "after" makes a cycle: a -> a');
  });

  it('rejects a malformed template, naming the pipeline, the step and the param', () => {
    const error = definitionError(
      {
        steps: [{ id: 'q', server: 'db', tool: 'query', params: { filter: { sql: 'SELECT {{input.cols' } } }],
        input: { cols: {} },
      },
      'report',
    );

    expect(error.message).toBe(
      'pipeline "report", step "q": params.filter.sql: "SELECT {{input.cols": the "{{" at position 7 has no ' +
        'closing "}}" (write \\{{ for a literal "{{")',
    );
    expect(error.path).toEqual(['steps', 0, 'params', 'filter', 'sql']);
  });

  it('accepts references to steps the step waits for, directly or through others', () => {
    const pipeline = buildPipeline('chain', {
      steps: [
        { id: 'a', server: 's', tool: 'a' },
        { id: 'b', server: 's', tool: 'b', after: ['a'], params: { x: '{{steps.a.text}}' } },
        {
          id: 'c',
          server: 's',
          tool: 'c',
          after: ['b'],
          params: { x: '{{steps.a.structured.k}} {{steps.b.isError}}' },
        },
      ],
    });

    expect(pipeline.steps.map((step) => step.template.kind)).toEqual(['object', 'object', 'object']);
  });

  it('rejects a reference to a step the step does not wait for, saying what to add', () => {
    const error = definitionError(
      {
        steps: [
          { id: 'a', server: 's', tool: 'a' },
          { id: 'b', server: 's', tool: 'b', params: { x: ['{{steps.a.text}}'] } },
        ],
      },
      'race',
    );

    expect(error.message).toBe(
      'pipeline "race", step "b": params.x[0]: {{steps.a.text}} reads step "a", which this step does not wait ' +
        'for: add "a" to its "after" (directly or through another step)',
    );
    expect(error.path).toEqual(['steps', 1, 'params', 'x', 0]);
  });

  it('rejects a reference to a step that does not exist', () => {
    expect(
      definitionError({ steps: [{ id: 'a', server: 's', tool: 'a', params: { x: '{{steps.zz.text}}' } }] })
        .message,
    ).toBe(
      'pipeline "p", step "a": params.x: {{steps.zz.text}} reads step "zz", which is not a step of this pipeline',
    );
  });

  it("rejects a reference to the step's own result", () => {
    expect(
      definitionError({ steps: [{ id: 'a', server: 's', tool: 'a', params: { x: '{{steps.a.isError}}' } }] })
        .message,
    ).toBe(
      'pipeline "p", step "a": params.x: {{steps.a.isError}} reads the step\'s own result, which does not exist ' +
        'before it runs',
    );
  });

  it('rejects a reference to an input the pipeline does not declare, listing the declared ones', () => {
    expect(
      definitionError({
        input: { state: {}, limit: { default: 5 } },
        steps: [{ id: 'a', server: 's', tool: 'a', params: { x: '{{input.stat}}' } }],
      }).message,
    ).toBe(
      'pipeline "p", step "a": params.x: {{input.stat}} reads input "stat", which the pipeline does not declare ' +
        '(its inputs: state, limit)',
    );
    expect(
      definitionError({ steps: [{ id: 'a', server: 's', tool: 'a', params: { x: '{{input.state}}' } }] })
        .message,
    ).toBe(
      'pipeline "p", step "a": params.x: {{input.state}} reads input "state", which the pipeline does not declare ' +
        '(it declares no "input")',
    );
  });

  it('lets templates read any input when the inputs are undeclared (the custom scenario)', () => {
    const pipeline = buildPipeline(
      'custom',
      { steps: [{ id: 'a', server: 's', tool: 'a', params: { x: '{{input.anything}}' } }] },
      { undeclaredInput: true },
    );

    expect(pipeline.inputs).toBeUndefined();
  });

  it('builds declared inputs: required unless they have a default or say required: false', () => {
    const pipeline = buildPipeline('inputs', {
      input: {
        state: { description: 'US state', default: 'CA' },
        table: { description: 'a table' },
        limit: { required: false },
        nothing: { default: null },
      },
      steps: [{ server: 's', tool: 't' }],
    });

    expect(pipeline.inputs).toEqual([
      { name: 'state', description: 'US state', default: 'CA', required: false },
      { name: 'table', description: 'a table', default: undefined, required: true },
      { name: 'limit', description: '', default: undefined, required: false },
      { name: 'nothing', description: '', default: null, required: false },
    ]);
  });

  it('rejects an input that is required and has a default', () => {
    const error = definitionError({
      input: { state: { default: 'CA', required: true } },
      steps: [{ server: 's', tool: 't' }],
    });

    expect(error.message).toBe(
      'pipeline "p", input "state": an input with a default is never missing; drop "required" or "default"',
    );
    expect(error.path).toEqual(['input', 'state']);
  });

  it('does not check servers: a step may name a server that is registered later', () => {
    expect(shapeOf(buildPipeline('later', { steps: [{ server: 'not-yet', tool: 'x' }] }))).toEqual([
      ['step1', 'not-yet', 'x', [], false],
    ]);
  });
});

describe('checkPipelineConfig', () => {
  it('returns nothing for a pipeline that builds, and the message and path of the first problem otherwise', () => {
    expect(checkPipelineConfig('fine', { steps: [{ server: 's', tool: 't' }] })).toBeUndefined();
    expect(checkPipelineConfig('bad', { steps: [{ server: 's', tool: 't', after: ['x'] }] })).toEqual({
      message:
        'pipeline "bad", step "step1": "after" names "x", which is not a step of this pipeline (its steps: step1)',
      path: ['steps', 0, 'after', 0],
    });
  });

  it('refuses the reserved name custom', () => {
    expect(checkPipelineConfig('custom', { steps: [{ server: 's', tool: 't' }] })).toEqual({
      message: 'pipeline "custom": the name is reserved for caller-composed steps',
      path: [],
    });
  });
});

describe('PipelineCatalog', () => {
  it('offers no pipeline but custom without a config', () => {
    const catalog = new PipelineCatalog();

    expect(catalog.list()).toEqual([]);
    expect(catalog.scenarioNames()).toEqual(['custom']);
    expect(catalog.get('custom')).toBeUndefined();
  });

  it('offers the config pipelines in their order, built and described, and custom last', () => {
    const catalog = new PipelineCatalog({
      nightly: { description: 'Nightly export', steps: [{ server: 'sqlite', tool: 'export' }] },
      bare: { steps: [{ id: 'ping', server: 'a', tool: 'ping' }] },
    });

    expect(catalog.scenarioNames()).toEqual(['nightly', 'bare', 'custom']);
    expect(catalog.get('nightly')?.description).toBe('Nightly export');
    expect(shapeOf(catalog.get('nightly'))).toEqual([['step1', 'sqlite', 'export', [], false]]);
    expect(catalog.get('bare')?.description).toBe('');
    expect(catalog.get('nope')).toBeUndefined();
  });

  it('refuses a config pipeline named custom', () => {
    const error = thrownBy(() => new PipelineCatalog({ custom: { steps: [{ server: 'a', tool: 'x' }] } }));

    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('invalid_config');
    expect(error.message).toBe('pipeline "custom": the name is reserved for caller-composed steps');
  });

  it('refuses a config pipeline whose steps are inconsistent, as a config error naming it', () => {
    const error = thrownBy(
      () => new PipelineCatalog({ broken: { steps: [{ server: 'a', tool: 'x', after: ['later'] }] } }),
    );

    expect((error as GatewayError).code).toBe('invalid_config');
    expect(error.message).toContain('pipeline "broken", step "step1": "after" names "later"');
  });

  it('emits changed when a reload replaces the pipelines with different ones, and lists them at once', () => {
    const catalog = new PipelineCatalog({
      brief: { description: 'v1', steps: [{ server: 'a', tool: 'x' }] },
    });
    const seen: string[][] = [];
    catalog.on('changed', () => seen.push(catalog.scenarioNames()));

    catalog.replace({ brief: { description: 'v2', steps: [{ server: 'a', tool: 'y' }] } });
    catalog.replace({ brief: { description: 'v2', steps: [{ server: 'a', tool: 'y' }] } });
    catalog.replace({ other: { steps: [{ server: 'b', tool: 'z' }] } });

    expect(seen).toEqual([
      ['brief', 'custom'],
      ['other', 'custom'],
    ]);
    expect(catalog.get('brief')).toBeUndefined();
  });

  it('changes nothing and emits nothing when a replacement cannot be built, is named custom or is misnamed', () => {
    const catalog = new PipelineCatalog({ weather: demoPipeline('weather-analysis') });
    let changes = 0;
    catalog.on('changed', () => (changes += 1));

    expect(() =>
      catalog.replace({ weather: { steps: [{ id: 'a', server: 's', tool: 't', after: ['a'] }] } }),
    ).toThrow('pipeline "weather", step "a": "after" makes a cycle: a -> a');
    expect(() => catalog.replace({ custom: { steps: [{ server: 's', tool: 't' }] } })).toThrow(
      'pipeline "custom": the name is reserved for caller-composed steps',
    );
    expect(() => catalog.replace({ 'my pipeline': { steps: [{ server: 's', tool: 't' }] } })).toThrow(
      'pipeline "my pipeline": a pipeline name is 1 to 64 letters, digits, "_" or "-"',
    );

    expect(changes).toBe(0);
    expect(shapeOf(catalog.get('weather'))).toEqual([
      ['alerts', 'weather', 'get_alerts', [], false],
      ['forecast', 'weather', 'get_forecast', [], false],
    ]);
  });
});

describe('the demo pipelines of gateway-config.json', () => {
  it('fetch weather alerts and forecast independently of each other, from declared inputs with defaults', () => {
    const pipeline = buildPipeline('weather-analysis', demoPipeline('weather-analysis'));

    expect(shapeOf(pipeline)).toEqual([
      ['alerts', 'weather', 'get_alerts', [], false],
      ['forecast', 'weather', 'get_forecast', [], false],
    ]);
    expect(pipeline.inputs?.map((input) => [input.name, input.default, input.required])).toEqual([
      ['state', 'CA', false],
      ['latitude', 37.7749, false],
      ['longitude', -122.4194, false],
    ]);
  });

  it('describe the table and query the top customers after listing the tables', () => {
    const pipeline = buildPipeline('database-report', demoPipeline('database-report'));

    expect(shapeOf(pipeline)).toEqual([
      ['tables', 'sqlite', 'list_tables', [], false],
      ['schema', 'sqlite', 'describe_table', ['tables'], false],
      ['top_customers', 'sqlite', 'read_query', ['tables'], false],
    ]);
    expect(pipeline.inputs?.map((input) => input.name)).toEqual(['table_name', 'query']);
  });
});
