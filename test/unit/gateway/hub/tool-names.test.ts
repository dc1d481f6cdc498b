import { describe, expect, it } from 'vitest';

import {
  EXPOSED_NAME_PATTERN,
  qualifyName,
  shortHash,
  withSuffix,
} from '../../../../src/gateway/hub/tool-names.js';

describe('exposed names', () => {
  it('joins prefix and name with a double underscore, or uses the name alone for an empty prefix', () => {
    expect(qualifyName('github', 'create_issue')).toBe('github__create_issue');
    expect(qualifyName('', 'create_issue')).toBe('create_issue');
  });

  it('replaces the characters models refuse with underscores', () => {
    expect(qualifyName('fs', 'read.file:v2 now')).toBe('fs__read_file_v2_now');
    expect(qualifyName('', '')).toBe('_');
  });

  it('cuts names over 64 characters and ends them with a hash of the full name', () => {
    const long = qualifyName('server', 'x'.repeat(100));
    expect(long).toHaveLength(64);
    expect(long).toMatch(EXPOSED_NAME_PATTERN);
    expect(long.endsWith(`_${shortHash(`server__${'x'.repeat(100)}`)}`)).toBe(true);
    expect(qualifyName('server', `${'x'.repeat(99)}y`)).not.toBe(long);
    expect(qualifyName('server', 'x'.repeat(100))).toBe(long);
  });

  it('keeps a suffixed name within 64 characters', () => {
    expect(withSuffix('a'.repeat(64), 'abcdef')).toBe(`${'a'.repeat(57)}_abcdef`);
    expect(withSuffix('short', 'abcdef')).toBe('short_abcdef');
  });
});
