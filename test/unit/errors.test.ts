import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';

import {
  GatewayError,
  plainMessage,
  ProtocolError,
  toProtocolError,
  type GatewayErrorCode,
} from '../../src/errors.js';

describe('GatewayError', () => {
  it('carries its code, message, server, tool, rpc code and cause', () => {
    const cause = new Error('EPIPE');

    const error = new GatewayError('backend_exited', 'weather exited', {
      cause,
      server: 'weather',
      tool: 'get_alerts',
      rpcCode: -32000,
    });

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('GatewayError');
    expect(error.code).toBe('backend_exited');
    expect(error.message).toBe('weather exited');
    expect(error.server).toBe('weather');
    expect(error.tool).toBe('get_alerts');
    expect(error.rpcCode).toBe(-32000);
    expect(error.cause).toBe(cause);
  });

  it('has no cause property when none was given', () => {
    const error = new GatewayError('internal', 'oops');

    expect('cause' in error).toBe(false);
    expect(error.server).toBeUndefined();
    expect(error.tool).toBeUndefined();
    expect(error.rpcCode).toBeUndefined();
  });
});

describe('plainMessage', () => {
  it('removes the SDK prefix "MCP error <code>: " once', () => {
    expect(plainMessage(new McpError(ErrorCode.InvalidParams, 'bad state'))).toBe('bad state');
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

describe('toProtocolError', () => {
  // The SDK sends a thrown error's message as it is and prefixes it on the receiving side: no prefix here.
  it.each<[GatewayErrorCode, number]>([
    ['invalid_input', ErrorCode.InvalidParams],
    ['invalid_config', ErrorCode.InvalidParams],
    ['invalid_name', ErrorCode.InvalidParams],
    ['duplicate_server', ErrorCode.InvalidParams],
    ['unknown_server', ErrorCode.InvalidParams],
    ['unknown_tool', ErrorCode.InvalidParams],
    ['unknown_scenario', ErrorCode.InvalidParams],
    ['backend_unavailable', ErrorCode.InternalError],
    ['spawn_failed', ErrorCode.InternalError],
    ['handshake_failed', ErrorCode.InternalError],
    ['backend_exited', ErrorCode.ConnectionClosed],
    ['timeout', ErrorCode.RequestTimeout],
    ['cancelled', ErrorCode.InternalError],
    ['backend_error', ErrorCode.InternalError],
    ['internal', ErrorCode.InternalError],
  ])('maps the GatewayError code %s to the JSON-RPC code %i', (code, rpcCode) => {
    const error = toProtocolError(new GatewayError(code, 'what happened'));

    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.code).toBe(rpcCode);
    expect(error.message).toBe('what happened');
  });

  it('keeps the JSON-RPC code a backend gave', () => {
    const error = toProtocolError(
      new GatewayError('backend_error', 'weather.x failed: nope', { rpcCode: -32099 }),
    );

    expect(error.code).toBe(-32099);
    expect(error.message).toBe('weather.x failed: nope');
  });

  it('keeps the code and data of an McpError and drops its prefix', () => {
    const original = new McpError(ErrorCode.InvalidParams, 'state must be two letters', { field: 'state' });

    const error = toProtocolError(original);

    expect(error.code).toBe(ErrorCode.InvalidParams);
    expect(error.data).toEqual({ field: 'state' });
    expect(error.message).toBe('state must be two letters');
  });

  it('maps any other error to an internal error with its message', () => {
    const error = toProtocolError(new TypeError('x is undefined'));

    expect(error.code).toBe(ErrorCode.InternalError);
    expect(error.message).toBe('x is undefined');
  });

  it('strips an SDK prefix from a plain Error message', () => {
    expect(toProtocolError(new Error('MCP error -32001: Request timed out')).message).toBe(
      'Request timed out',
    );
  });

  it('maps a thrown non-Error value to an internal error', () => {
    const error = toProtocolError('kaboom');

    expect(error.code).toBe(ErrorCode.InternalError);
    expect(error.message).toBe('kaboom');
  });
});
