import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { GatewayError } from '../../../src/errors/gateway-error.js';
import { plainMessage } from '../../../src/errors/protocol-error.js';

describe('plainMessage', () => {
  it('removes the SDK prefix "MCP error <code>: " once', () => {
    expect(plainMessage(new ProtocolError(ProtocolErrorCode.InvalidParams, 'bad state'))).toBe('bad state');
    expect(plainMessage(new Error('Request timed out'))).toBe('Request timed out');
    expect(plainMessage(new Error('positive'))).toBe('positive');
  });

  it('removes a repeated prefix too, as a backend built on the SDK sends it', () => {
    expect(plainMessage(new Error('MCP error -32602: x'))).toBe('x');
  });

  it('leaves other messages alone, prefix-like text in the middle included', () => {
    expect(plainMessage(new Error('backend said MCP error -1: no'))).toBe('backend said MCP error -1: no');
    expect(plainMessage(new GatewayError('timeout', 'timed out'))).toBe('timed out');
  });

  it('turns a value that is not an Error into a string', () => {
    expect(plainMessage('just text')).toBe('just text');
    expect(plainMessage(42)).toBe('42');
    expect(plainMessage(undefined)).toBe('undefined');
  });
});
