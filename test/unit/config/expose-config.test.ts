import { describe, expect, it } from 'vitest';

import { parseConfig } from '../../../src/config/load-config.js';
import { GatewayError } from '../../../src/errors/gateway-error.js';

describe('the "expose" setting of the config file', () => {
  it.each(['all', 'gateway'] as const)('accepts "%s"', (expose) => {
    expect(parseConfig({ expose }, 'gateway-config.json').expose).toBe(expose);
  });

  it('is absent unless given, so that the --expose flag or the default applies', () => {
    expect(parseConfig({ servers: {} }, 'gateway-config.json').expose).toBeUndefined();
  });

  it.each([['none'], ['ALL'], [true], [['gateway']]])(
    'refuses %j, naming the path and the choices',
    (expose) => {
      let error: unknown;
      try {
        parseConfig({ expose }, 'gateway-config.json');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).message).toBe(
        'gateway-config.json: invalid config:\n  at expose: expose is "all" or "gateway"',
      );
    },
  );
});
