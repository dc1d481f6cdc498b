import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  gatewayStatePrefix,
  ownerOfRequestState,
} from '../../../../src/gateway/calls/request-state-owner.js';
import { ownerOfSession, readHop, signHop } from '../../../../src/transports/peers/peer-routing.js';

describe('the routing of requests between replicas', () => {
  const key = randomBytes(32);

  it('reads the owner of a session id, and none of an id without a replica', () => {
    expect(ownerOfSession('r1.5b0c7f8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f')).toBe('r1');
    expect(ownerOfSession('5b0c7f8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f')).toBeUndefined();
    expect(ownerOfSession('.x')).toBeUndefined();
  });

  it("reads the owner of a gateway's requestState, and none of a lone gateway's or a backend's", () => {
    expect(ownerOfRequestState(`${gatewayStatePrefix('pod-7')}v1.abc.def`)).toBe('pod-7');
    expect(ownerOfRequestState(`${gatewayStatePrefix(undefined)}v1.abc.def`)).toBeUndefined();
    expect(ownerOfRequestState('v1.abc.def')).toBeUndefined();
  });

  it('accepts a hop header signed for this replica and this route only', () => {
    const hop = signHop(key, 'r2', 'r1', 'r1.session');
    expect(readHop(key, hop, 'r1', 'r1.session')).toBe('r2');
    expect(readHop(key, hop, 'r3', 'r1.session')).toBeUndefined();
    expect(readHop(key, hop, 'r1', 'r1.other')).toBeUndefined();
    expect(readHop(randomBytes(32), hop, 'r1', 'r1.session')).toBeUndefined();
    expect(readHop(key, 'r2;AAAA', 'r1', 'r1.session')).toBeUndefined();
    expect(readHop(key, 'r2', 'r1', 'r1.session')).toBeUndefined();
  });
});
