import { describe, expect, it } from 'vitest';

import { GatewayError } from '../../../src/errors.js';
import { buildPipeline, PipelineCatalog } from '../../../src/pipelines/build-pipeline.js';
import { DATABASE_REPORT, WEATHER_ANALYSIS } from '../../../src/pipelines/builtin-pipelines.js';

/** The error `fn` throws; fails when it throws nothing. */
function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('buildPipeline', () => {
  it('keeps given ids, numbers the others step<N> by position, and defaults params and after', () => {
    const pipeline = buildPipeline('mixed', 'a test pipeline', [
      { server: 'a', tool: 'x' },
      { id: 'named', server: 'b', tool: 'y', params: { n: 1 }, after: ['step1'] },
      { server: 'c', tool: 'z', after: ['step1', 'named'] },
    ]);

    expect(pipeline).toEqual({
      name: 'mixed',
      description: 'a test pipeline',
      steps: [
        { id: 'step1', server: 'a', tool: 'x', params: {}, after: [] },
        { id: 'named', server: 'b', tool: 'y', params: { n: 1 }, after: ['step1'] },
        { id: 'step3', server: 'c', tool: 'z', params: {}, after: ['step1', 'named'] },
      ],
    });
  });

  it('rejects a step reusing the id of an earlier step, naming the pipeline and the step', () => {
    const error = thrownBy(() =>
      buildPipeline('dup', '', [
        { id: 'same', server: 'a', tool: 'x' },
        { id: 'same', server: 'b', tool: 'y' },
      ]),
    );

    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('invalid_input');
    expect(error.message).toBe('pipeline "dup", step "same": the id is used by an earlier step');
  });

  it('rejects an explicit id that collides with a generated one', () => {
    expect(
      thrownBy(() =>
        buildPipeline('clash', '', [
          { id: 'step2', server: 'a', tool: 'x' },
          { server: 'b', tool: 'y' },
        ]),
      ).message,
    ).toBe(
      'pipeline "clash", step "step2": step 2 has no id and its default id "step2" is taken by an earlier step: ' +
        'give it an id',
    );
  });

  it('rejects after naming a later step, which also rules out cycles', () => {
    expect(
      thrownBy(() =>
        buildPipeline('cycle', '', [
          { id: 'a', server: 's', tool: 'x', after: ['b'] },
          { id: 'b', server: 's', tool: 'y', after: ['a'] },
        ]),
      ).message,
    ).toBe('pipeline "cycle", step "a": "after" names "b", which is not an earlier step of this pipeline');
  });

  it('rejects a step naming itself in after', () => {
    expect(
      thrownBy(() => buildPipeline('self', '', [{ id: 'a', server: 's', tool: 'x', after: ['a'] }])).message,
    ).toBe('pipeline "self", step "a": "after" names "a", which is not an earlier step of this pipeline');
  });

  it('rejects after naming a step that does not exist', () => {
    expect(
      thrownBy(() => buildPipeline('ghost', '', [{ server: 's', tool: 'x', after: ['nope'] }])).message,
    ).toBe(
      'pipeline "ghost", step "step1": "after" names "nope", which is not an earlier step of this pipeline',
    );
  });
});

describe('PipelineCatalog', () => {
  it('offers the two built-in pipelines, and custom as the last scenario', () => {
    const catalog = new PipelineCatalog();

    expect(catalog.list()).toEqual([WEATHER_ANALYSIS, DATABASE_REPORT]);
    expect(catalog.scenarioNames()).toEqual(['weather-analysis', 'database-report', 'custom']);
    expect(catalog.get('weather-analysis')).toBe(WEATHER_ANALYSIS);
    expect(catalog.get('custom')).toBeUndefined();
    expect(catalog.get('nope')).toBeUndefined();
  });

  it('adds the config pipelines after the built-ins, built and described', () => {
    const catalog = new PipelineCatalog({
      nightly: { description: 'Nightly export', steps: [{ server: 'sqlite', tool: 'export' }] },
      bare: { steps: [{ id: 'ping', server: 'a', tool: 'ping' }] },
    });

    expect(catalog.scenarioNames()).toEqual([
      'weather-analysis',
      'database-report',
      'nightly',
      'bare',
      'custom',
    ]);
    expect(catalog.get('nightly')).toEqual({
      name: 'nightly',
      description: 'Nightly export',
      steps: [{ id: 'step1', server: 'sqlite', tool: 'export', params: {}, after: [] }],
    });
    expect(catalog.get('bare')?.description).toBe('');
  });

  it('refuses a config pipeline named custom', () => {
    const error = thrownBy(() => new PipelineCatalog({ custom: { steps: [{ server: 'a', tool: 'x' }] } }));

    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('invalid_config');
    expect(error.message).toBe('pipeline "custom": the name is reserved for caller-composed steps');
  });

  it('refuses a config pipeline whose steps are inconsistent, naming it', () => {
    expect(
      () => new PipelineCatalog({ broken: { steps: [{ server: 'a', tool: 'x', after: ['later'] }] } }),
    ).toThrow('pipeline "broken", step "step1": "after" names "later"');
  });
});

describe('the built-in pipelines', () => {
  it('fetch weather alerts and forecast independently of each other', () => {
    expect(WEATHER_ANALYSIS.steps.map((step) => [step.id, step.server, step.tool, step.after])).toEqual([
      ['alerts', 'weather', 'get_alerts', []],
      ['forecast', 'weather', 'get_forecast', []],
    ]);
  });

  it('describe the table and query the top customers after listing the tables', () => {
    expect(DATABASE_REPORT.steps.map((step) => [step.id, step.server, step.tool, step.after])).toEqual([
      ['tables', 'sqlite', 'list_tables', []],
      ['schema', 'sqlite', 'describe_table', ['tables']],
      ['top_customers', 'sqlite', 'read_query', ['tables']],
    ]);
  });
});
