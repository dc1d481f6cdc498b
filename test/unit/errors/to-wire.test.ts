import { ProtocolError as SdkProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { GatewayError, type GatewayErrorCode } from '../../../src/errors/gateway-error.js';
import { ProtocolError } from '../../../src/errors/protocol-error.js';
import {
  backendRpcError,
  fromWireError,
  toErrorResult,
  toForwardedError,
  toProtocolError,
} from '../../../src/errors/to-wire.js';

describe('toProtocolError', () => {
  // The SDK sends a thrown error's message as it is and prefixes it on the receiving side: no prefix here.
  it.each<[GatewayErrorCode, number]>([
    ['invalid_input', ProtocolErrorCode.InvalidParams],
    ['invalid_config', ProtocolErrorCode.InvalidParams],
    ['invalid_name', ProtocolErrorCode.InvalidParams],
    ['duplicate_server', ProtocolErrorCode.InvalidParams],
    ['unknown_server', ProtocolErrorCode.InvalidParams],
    ['unknown_tool', ProtocolErrorCode.InvalidParams],
    ['unknown_scenario', ProtocolErrorCode.InvalidParams],
    ['unknown_prompt', ProtocolErrorCode.InvalidParams],
    ['duplicate_request_id', ProtocolErrorCode.InvalidRequest],
    ['resource_not_found', -32602],
    ['registration_denied', ProtocolErrorCode.InvalidRequest],
    ['self_reference', ProtocolErrorCode.InvalidParams],
    ['no_session_for_request', ProtocolErrorCode.InternalError],
    ['client_lacks_capability', ProtocolErrorCode.InvalidRequest],
    ['definition_changed', ProtocolErrorCode.InvalidRequest],
    ['invalid_state', ProtocolErrorCode.InternalError],
    ['backend_unavailable', ProtocolErrorCode.InternalError],
    ['spawn_failed', ProtocolErrorCode.InternalError],
    ['handshake_failed', ProtocolErrorCode.InternalError],
    ['backend_exited', -32000],
    ['timeout', -32001],
    ['cancelled', ProtocolErrorCode.InternalError],
    ['backend_error', ProtocolErrorCode.InternalError],
    ['internal', ProtocolErrorCode.InternalError],
  ])('maps the GatewayError code %s to the JSON-RPC code %i', (code, rpcCode) => {
    const error = toProtocolError(new GatewayError(code, 'what happened'));

    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.code).toBe(rpcCode);
    expect(error.message).toBe('what happened');
  });

  it("keeps the JSON-RPC code and data a backend gave, with the gateway's message", () => {
    const error = toProtocolError(
      new GatewayError('backend_error', 'weather.x failed: nope', {
        cause: new ProtocolError(-32099, 'nope', { why: 'testing' }),
      }),
    );

    expect(error.code).toBe(-32099);
    expect(error.message).toBe('weather.x failed: nope');
    expect(error.data).toEqual({ why: 'testing' });
  });

  it('sends the data a gateway error carries', () => {
    const error = toProtocolError(
      new GatewayError('resource_not_found', 'Resource not found: x', { data: { uri: 'x' } }),
    );

    expect(error).toMatchObject({ code: -32602, message: 'Resource not found: x', data: { uri: 'x' } });
  });

  it("keeps the code and data of the SDK's ProtocolError and drops its prefix", () => {
    const original = new SdkProtocolError(ProtocolErrorCode.InvalidParams, 'state must be two letters', {
      field: 'state',
    });

    const error = toProtocolError(original);

    expect(error.code).toBe(ProtocolErrorCode.InvalidParams);
    expect(error.data).toEqual({ field: 'state' });
    expect(error.message).toBe('state must be two letters');
  });

  it('maps any other error to an internal error with its message', () => {
    const error = toProtocolError(new TypeError('x is undefined'));

    expect(error.code).toBe(ProtocolErrorCode.InternalError);
    expect(error.message).toBe('x is undefined');
  });

  it('strips an SDK prefix from a plain Error message', () => {
    expect(toProtocolError(new Error('MCP error -32001: Request timed out')).message).toBe(
      'Request timed out',
    );
  });

  it('maps a thrown non-Error value to an internal error', () => {
    const error = toProtocolError('kaboom');

    expect(error.code).toBe(ProtocolErrorCode.InternalError);
    expect(error.message).toBe('kaboom');
  });
});

describe('toForwardedError', () => {
  it("passes a backend's own JSON-RPC error on as the backend sent it", () => {
    const remote = new ProtocolError(-32001, 'raw failure', { why: 'testing' });

    const error = toForwardedError(
      new GatewayError('backend_error', 'raw.x failed: raw failure', { cause: remote }),
    );

    expect(error).toBe(remote);
  });

  it("maps the gateway's own failures as toProtocolError does", () => {
    const error = toForwardedError(new GatewayError('timeout', 'raw.x timed out after 10 ms'));

    expect(error).toMatchObject({ code: -32001, message: 'raw.x timed out after 10 ms' });
  });
});

describe('backendRpcError', () => {
  it('is the ProtocolError cause of a backend_error, and nothing else', () => {
    const remote = new ProtocolError(-32602, 'bad');
    expect(backendRpcError(new GatewayError('backend_error', 'x', { cause: remote }))).toBe(remote);
    expect(
      backendRpcError(new GatewayError('backend_error', 'x', { cause: new Error('bad') })),
    ).toBeUndefined();
    expect(backendRpcError(new GatewayError('timeout', 'x', { cause: remote }))).toBeUndefined();
    expect(backendRpcError(remote)).toBeUndefined();
  });
});

describe('fromWireError', () => {
  it('reads code, message (without SDK prefixes) and data', () => {
    expect(fromWireError({ code: -32602, message: 'MCP error -32602: bad', data: [1] })).toMatchObject({
      code: -32602,
      message: 'bad',
      data: [1],
    });
  });

  it('fills in what a malformed error object lacks', () => {
    expect(fromWireError({ code: 'x' })).toMatchObject({
      code: ProtocolErrorCode.InternalError,
      message: 'unknown error',
    });
  });
});

describe('toErrorResult', () => {
  it('is one text item and isError', () => {
    expect(toErrorResult('it broke')).toEqual({
      content: [{ type: 'text', text: 'it broke' }],
      isError: true,
    });
  });
});
