import { expect } from 'vitest';

import { GatewayError } from '../../src/errors/gateway-error.js';

/** Awaits a promise that must reject with a `GatewayError`, and returns that error for further checks. */
export async function expectGatewayError(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}
