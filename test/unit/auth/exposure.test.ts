/** Which listeners need authentication: a non-loopback HTTP listener needs a static token or an `auth` section. */
import { describe, expect, it } from 'vitest';

import { describeExposureProblem } from '../../../src/start-gateway.js';

describe('describeExposureProblem', () => {
  it('lets a loopback listener go without authentication, as before', () => {
    expect(describeExposureProblem('streamable-http', '127.0.0.1', [])).toBeUndefined();
    expect(describeExposureProblem('streamable-http', '::1', [])).toBeUndefined();
  });

  it('requires a static token or an auth section off loopback', () => {
    expect(describeExposureProblem('streamable-http', '0.0.0.0', [])).toBe(
      '--host 0.0.0.0 is not a loopback address: set --auth-token or MCP_GATEWAY_AUTH_TOKEN, or an "auth" section in the config file, as well',
    );
    expect(
      describeExposureProblem('streamable-http', '0.0.0.0', ['a-static-token-0123456789']),
    ).toBeUndefined();
    expect(describeExposureProblem('streamable-http', '0.0.0.0', [], true)).toBeUndefined();
  });
});
