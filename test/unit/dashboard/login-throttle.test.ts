import { describe, expect, it } from 'vitest';

import { LOGIN_WINDOW_MS, LoginThrottle, MAX_FAILED_LOGINS } from '../../../src/dashboard/login-throttle.js';

describe('LoginThrottle', () => {
  it('lets an address try again once its window is over, and forgets it on a login', () => {
    let now = 1000;
    const throttle = new LoginThrottle(() => now);
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      expect(throttle.waitMs('10.0.0.1')).toBe(0);
      throttle.failed('10.0.0.1');
    }
    expect(throttle.waitMs('10.0.0.1')).toBe(LOGIN_WINDOW_MS);
    // Another address is not held back by the first.
    expect(throttle.waitMs('10.0.0.2')).toBe(0);
    now += LOGIN_WINDOW_MS - 1;
    expect(throttle.waitMs('10.0.0.1')).toBe(1);
    now += 1;
    expect(throttle.waitMs('10.0.0.1')).toBe(0);

    throttle.failed('10.0.0.3');
    throttle.succeeded('10.0.0.3');
    for (let i = 0; i < MAX_FAILED_LOGINS - 1; i++) throttle.failed('10.0.0.3');
    expect(throttle.waitMs('10.0.0.3')).toBe(0);
  });
});
