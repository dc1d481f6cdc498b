import { LOG_LEVEL_META_KEY } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { envelopeLogLevel, logLevelPasses } from '../../../../src/gateway/hub/log-levels.js';

describe('logLevelPasses', () => {
  it('lets through the level asked for and above, everything when none was asked, nothing when off', () => {
    expect(logLevelPasses('warning', 'info')).toBe(true);
    expect(logLevelPasses('info', 'info')).toBe(true);
    expect(logLevelPasses('debug', 'info')).toBe(false);
    expect(logLevelPasses('debug', undefined)).toBe(true);
    expect(logLevelPasses(undefined, 'emergency')).toBe(true);
    expect(logLevelPasses('emergency', 'off')).toBe(false);
    expect(logLevelPasses(undefined, 'off')).toBe(false);
  });
});

describe('envelopeLogLevel', () => {
  it("reads a 2026-07-28 request's level, off when it asks for none or for one that does not exist", () => {
    expect(envelopeLogLevel({ [LOG_LEVEL_META_KEY]: 'notice' })).toBe('notice');
    expect(envelopeLogLevel({})).toBe('off');
    expect(envelopeLogLevel({ [LOG_LEVEL_META_KEY]: 'loud' })).toBe('off');
    expect(envelopeLogLevel({ [LOG_LEVEL_META_KEY]: 'toString' })).toBe('off');
  });

  it('says nothing for a 2025 request (no envelope): its session decides', () => {
    expect(envelopeLogLevel(undefined)).toBeUndefined();
  });
});
