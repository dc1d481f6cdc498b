/**
 * What a backend's request needs of the client, down to the sub-capability: the mode of an elicitation (an empty
 * `elicitation: {}` is form mode only, as 2025-11-25 says), and sampling with tools.
 */
import type { ClientCapabilities } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { describeNeed, requirementOf } from '../../../../src/gateway/hub/client-requirements.js';

const elicit = (params: Record<string, unknown>) => ({ method: 'elicitation/create', params });
const sample = (params: Record<string, unknown>) => ({
  method: 'sampling/createMessage',
  params: { messages: [], maxTokens: 1, ...params },
});

/** Whether a client with `capabilities` can serve `request`, as the router asks. */
function serves(
  capabilities: ClientCapabilities,
  request: { method: string; params?: Record<string, unknown> },
) {
  const needed = requirementOf(request);
  return needed === undefined || needed.metBy(capabilities);
}

describe('what a backend request needs of the client', () => {
  it.each([
    ['an empty elicitation capability', { elicitation: {} }, true, false],
    ['form mode declared', { elicitation: { form: {} } }, true, false],
    ['URL mode declared alone', { elicitation: { url: {} } }, false, true],
    ['both modes declared', { elicitation: { form: {}, url: {} } }, true, true],
    ['no elicitation', { sampling: {} }, false, false],
  ])('elicitation, for a client with %s', (_label, capabilities, form, url) => {
    expect(serves(capabilities, elicit({ message: 'name?', requestedSchema: { type: 'object' } }))).toBe(
      form,
    );
    expect(serves(capabilities, elicit({ mode: 'form', message: 'name?' }))).toBe(form);
    expect(serves(capabilities, elicit({ mode: 'url', elicitationId: 'e1', url: 'https://x.test' }))).toBe(
      url,
    );
  });

  it('sampling with tools needs sampling.tools; a tool choice alone asks for it too', () => {
    expect(serves({ sampling: {} }, sample({}))).toBe(true);
    expect(serves({ sampling: {} }, sample({ tools: [] }))).toBe(false);
    expect(serves({ sampling: {} }, sample({ toolChoice: { mode: 'auto' } }))).toBe(false);
    expect(serves({ sampling: { tools: {} } }, sample({ tools: [] }))).toBe(true);
    expect(serves({}, sample({}))).toBe(false);
  });

  it('says what was asked and which capability it needs, in words a person reads', () => {
    expect(describeNeed(requirementOf(elicit({ mode: 'url' })))).toBe(
      'URL-mode elicitation (capability elicitation.url)',
    );
    expect(describeNeed(requirementOf(sample({ tools: [] })))).toBe(
      'sampling with tools (capability sampling.tools)',
    );
    expect(describeNeed(requirementOf({ method: 'roots/list' }))).toBe(
      'the list of roots (capability roots)',
    );
    expect(describeNeed(requirementOf(elicit({ mode: 'later' })))).toBe(
      'later-mode elicitation (capability elicitation.later)',
    );
  });

  it('needs nothing for a method it does not know: a proxy passes it on', () => {
    expect(requirementOf({ method: 'x/custom' })).toBeUndefined();
    expect(describeNeed(undefined)).toBe('a way to answer it');
  });
});
