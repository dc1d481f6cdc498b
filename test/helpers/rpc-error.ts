/**
 * The JSON-RPC error a request was answered with, as an SDK client reports it (v2 clients give the message as sent).
 */
import { ProtocolError } from '@modelcontextprotocol/server';

/** The code, message and data of a JSON-RPC error; the message as the peer sent it. */
export interface RpcError {
  readonly code: number;
  readonly message: string;
  readonly data: unknown;
}

/** What `promise` rejects with, as an {@link RpcError}; fails when it resolves or rejects with anything else. */
export async function rpcErrorOf(promise: Promise<unknown>): Promise<RpcError> {
  const error = await promise.then(
    (value: unknown) => new Error(`expected a JSON-RPC error, got the result ${JSON.stringify(value)}`),
    (reason: unknown) => reason,
  );
  if (!(error instanceof ProtocolError)) throw error;
  return { code: error.code, message: error.message, data: error.data };
}
