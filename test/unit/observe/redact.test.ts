import { describe, expect, it } from 'vitest';

import { REDACTED, redact } from '../../../src/observe/redact.js';

describe('redact', () => {
  it('replaces the values of secret-looking keys at any depth, in objects and arrays', () => {
    const input = {
      query: 'select 1',
      password: 'hunter2',
      nested: { apiKey: 'k-1', list: [{ Authorization: 'Bearer x', keep: 1 }, 'plain'] },
      headers: { 'X-Auth-Token': 't', accept: 'json' },
      clientSecret: { deep: 'value' },
      privateKey: null,
    };
    expect(redact(input)).toEqual({
      query: 'select 1',
      password: REDACTED,
      nested: { apiKey: REDACTED, list: [{ Authorization: REDACTED, keep: 1 }, 'plain'] },
      headers: { 'X-Auth-Token': REDACTED, accept: 'json' },
      clientSecret: REDACTED,
      privateKey: REDACTED,
    });
  });

  it('never changes its input', () => {
    const input = { token: 'abc', inner: { cookie: 'c', n: [1, { secret: 's' }] } };
    const copy = structuredClone(input);
    const output = redact(input) as typeof input;
    expect(input).toEqual(copy);
    expect(output).not.toBe(input);
    expect(output.inner).not.toBe(input.inner);
  });

  it('passes scalars through and cuts nesting that goes too deep', () => {
    expect(redact('text')).toBe('text');
    expect(redact(3)).toBe(3);
    expect(redact(null)).toBe(null);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 40; i++) deep = { next: deep };
    expect(JSON.stringify(redact(deep))).toContain('[too deep]');
  });
});
