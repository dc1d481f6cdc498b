import { describe, expect, it } from 'vitest';

import { GatewayError } from '../../../src/errors/gateway-error.js';

describe('GatewayError', () => {
  it('carries its code, message, backend, tool, data and cause', () => {
    const cause = new Error('EPIPE');

    const error = new GatewayError('backend_exited', 'weather exited', {
      cause,
      backend: 'weather',
      tool: 'get_alerts',
      data: { uri: 'x' },
    });

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('GatewayError');
    expect(error.code).toBe('backend_exited');
    expect(error.message).toBe('weather exited');
    expect(error.backend).toBe('weather');
    expect(error.tool).toBe('get_alerts');
    expect(error.data).toEqual({ uri: 'x' });
    expect(error.cause).toBe(cause);
  });

  it('has no cause property when none was given', () => {
    const error = new GatewayError('internal', 'oops');

    expect('cause' in error).toBe(false);
    expect(error.backend).toBeUndefined();
    expect(error.tool).toBeUndefined();
    expect(error.data).toBeUndefined();
  });
});
