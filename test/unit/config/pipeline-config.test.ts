import { describe, expect, it } from 'vitest';

import { parseConfig } from '../../../src/config/load-config.js';
import { GatewayError } from '../../../src/errors/gateway-error.js';

/** The message of the config error that parsing `pipelines` gives. */
function configError(pipelines: Record<string, unknown>): string {
  try {
    parseConfig({ pipelines }, 'gateway-config.json');
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('invalid_config');
    return (error as Error).message;
  }
  throw new Error('expected a config error');
}

describe('pipelines in the config file', () => {
  it('accept inputs, templates, after in any order, timeoutMs and optional, keeping them as written', () => {
    const pipelines = {
      brief: {
        description: 'Alerts, then a note',
        input: { state: { description: 'US state', default: 'NY' }, note: { required: true } },
        steps: [
          {
            id: 'note',
            server: 'notes',
            tool: 'write',
            params: { text: '{{input.note}}: {{steps.alerts.text}}' },
            after: ['alerts'],
            optional: true,
          },
          {
            id: 'alerts',
            server: 'weather',
            tool: 'get_alerts',
            params: { state: '{{input.state}}' },
            timeoutMs: 500,
          },
        ],
      },
    };

    expect(parseConfig({ pipelines }, 'gateway-config.json').pipelines).toEqual(pipelines);
  });

  it('refuse a cycle, naming the file, the pipeline, the step and the cycle', () => {
    expect(
      configError({
        loop: {
          steps: [
            { id: 'a', server: 's', tool: 't', after: ['b'] },
            { id: 'b', server: 's', tool: 't', after: ['a'] },
          ],
        },
      }),
    ).toBe(
      'gateway-config.json: invalid config:\n' +
        '  at pipelines.loop.steps.0.after: pipeline "loop", step "a": "after" makes a cycle: a -> b -> a',
    );
  });

  it('refuse an after naming no step', () => {
    expect(configError({ p: { steps: [{ id: 'a', server: 's', tool: 't', after: ['ghost'] }] } })).toBe(
      'gateway-config.json: invalid config:\n' +
        '  at pipelines.p.steps.0.after.0: pipeline "p", step "a": "after" names "ghost", which is not a step of ' +
        'this pipeline (its steps: a)',
    );
  });

  it('refuse a malformed template, naming the param', () => {
    expect(
      configError({
        p: {
          steps: [
            { id: 'a', server: 's', tool: 't' },
            { id: 'b', server: 's', tool: 't', after: ['a'], params: { q: { text: '{{steps.a.txt}}' } } },
          ],
        },
      }),
    ).toBe(
      'gateway-config.json: invalid config:\n' +
        '  at pipelines.p.steps.1.params.q.text: pipeline "p", step "b": params.q.text: {{steps.a.txt}}: steps ' +
        'have no field "txt": {{steps.a.text}}, {{steps.a.isError}} or {{steps.a.structured}} (followed by a path)',
    );
  });

  it('refuse a template reading a step that may not have run yet', () => {
    expect(
      configError({
        p: {
          steps: [
            { id: 'a', server: 's', tool: 't' },
            { id: 'b', server: 's', tool: 't', params: { x: '{{steps.a.text}}' } },
          ],
        },
      }),
    ).toContain(
      'pipeline "p", step "b": params.x: {{steps.a.text}} reads step "a", which this step does not wait for',
    );
  });

  it('refuse the name custom, a bad step id and a bad timeout', () => {
    expect(configError({ custom: { steps: [{ server: 's', tool: 't' }] } })).toBe(
      'gateway-config.json: invalid config:\n' +
        '  at pipelines.custom: pipeline "custom": the name is reserved for caller-composed steps',
    );
    expect(configError({ p: { steps: [{ id: 'a.b', server: 's', tool: 't' }] } })).toBe(
      'gateway-config.json: invalid config:\n' +
        '  at pipelines.p.steps.0.id: a step id is 1 to 64 letters, digits, "_" or "-"',
    );
    expect(configError({ p: { steps: [{ server: 's', tool: 't', timeoutMs: 0 }] } })).toMatch(
      /^gateway-config\.json: invalid config:\n {2}at pipelines\.p\.steps\.0\.timeoutMs: /,
    );
  });

  it('report a problem in each broken pipeline', () => {
    const message = configError({
      one: { steps: [{ id: 'a', server: 's', tool: 't', after: ['a'] }] },
      fine: { steps: [{ server: 's', tool: 't' }] },
      two: { steps: [{ server: 's', tool: 't', params: { x: '{{input.nope}}' } }] },
    });

    expect(message.split('\n')).toEqual([
      'gateway-config.json: invalid config:',
      '  at pipelines.one.steps.0.after: pipeline "one", step "a": "after" makes a cycle: a -> a',
      '  at pipelines.two.steps.0.params.x: pipeline "two", step "step1": params.x: {{input.nope}} reads input ' +
        '"nope", which the pipeline does not declare (it declares no "input")',
    ]);
  });
});
