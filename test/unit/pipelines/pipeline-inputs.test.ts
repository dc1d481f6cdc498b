import { describe, expect, it } from 'vitest';

import { GatewayError } from '../../../src/errors/gateway-error.js';
import type { PipelineInput } from '../../../src/pipelines/pipeline.js';
import { describeInputs, resolveInput } from '../../../src/pipelines/pipeline-inputs.js';

const INPUTS: PipelineInput[] = [
  { name: 'state', description: 'two-letter state code', default: 'CA', required: false },
  { name: 'table', description: 'the table to read', default: undefined, required: true },
  { name: 'limit', description: '', default: undefined, required: false },
  { name: 'filter', description: '', default: null, required: false },
];
const pipeline = { name: 'report', inputs: INPUTS };

function resolved(given?: Record<string, unknown>): [Record<string, unknown>, string[]] {
  const { input, omitted } = resolveInput(pipeline, given);
  return [Object.fromEntries(input), [...omitted]];
}

describe('resolveInput', () => {
  it('takes the given values, the defaults of the others, and marks optional inputs without default omitted', () => {
    expect(resolved({ table: 'orders' })).toEqual([
      { state: 'CA', table: 'orders', filter: null },
      ['limit'],
    ]);
  });

  it('lets a given value replace a default, null and falsy values included', () => {
    expect(resolved({ table: 't', state: '', limit: 0, filter: { a: 1 } })).toEqual([
      { state: '', table: 't', limit: 0, filter: { a: 1 } },
      [],
    ]);
  });

  it('rejects a missing required input, naming it with its description', () => {
    const run = (): unknown => resolveInput(pipeline, { state: 'NY' });

    expect(run).toThrow(GatewayError);
    expect(run).toThrow('pipeline "report" needs the input "table" (the table to read)');
  });

  it('rejects an input the pipeline does not declare, listing the ones it does', () => {
    expect(() => resolveInput(pipeline, { table: 't', State: 'NY', units: 'metric' })).toThrow(
      'pipeline "report" has no input "State", "units"; its inputs: state, table, limit, filter',
    );
    expect(() => resolveInput({ name: 'bare', inputs: [] }, { x: 1 })).toThrow(
      'pipeline "bare" has no input "x"; it takes no input',
    );
  });

  it('ignores inherited properties of the given object', () => {
    const given = Object.create({ table: 'inherited' }) as Record<string, unknown>;

    expect(() => resolveInput(pipeline, given)).toThrow('needs the input "table"');
  });

  it('passes whatever the caller gives when the pipeline declares no inputs (custom)', () => {
    const { input, omitted } = resolveInput(
      { name: 'custom', inputs: undefined },
      { anything: [1], x: null },
    );

    expect(Object.fromEntries(input)).toEqual({ anything: [1], x: null });
    expect(omitted.size).toBe(0);
  });
});

describe('describeInputs', () => {
  it('says of each input whether it is required, optional or has a default, with its description', () => {
    expect(describeInputs(INPUTS)).toEqual([
      'state (default "CA"): two-letter state code',
      'table (required): the table to read',
      'limit (optional)',
      'filter (default null)',
    ]);
  });
});
