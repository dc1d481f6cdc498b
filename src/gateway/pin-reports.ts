/**
 * Tool pinning's events as changes of the gateway: a definition a backend changed, and an approval (here or by
 * `mcp-gateway pins approve` in another process), reach whoever watches changes (the audit log's
 * `definition-changed` and `approve` lines). Nothing in them is secret: definitions are what every client sees.
 */
import { plainMessage } from '../errors/protocol-error.js';
import type { Logger } from '../logger.js';
import type { PinApproval, PinChange } from '../pins/pin-events.js';
import type { Pins } from '../pins/pins.js';
import type { ChangeReport, GatewayObservation } from '../shared/observation.js';

/** Reports `pins`' changes and approvals to `observation` until the returned function is called. */
export function reportPinEvents(pins: Pins, observation: GatewayObservation, logger: Logger): () => void {
  const report = (change: ChangeReport): void => {
    observation.reportChange(change).catch((error: unknown) => {
      logger.warn('a pinning event could not be recorded', { error: plainMessage(error) });
    });
  };
  const onChanged = (change: PinChange): void =>
    report({
      action: 'definition-changed',
      startedAt: Date.now(),
      durationMs: 0,
      server: change.server,
      outcome: 'ok',
      errorCode: undefined,
      detail: {
        kind: change.kind,
        name: change.name,
        changedFields: change.changedFields,
        mode: change.mode,
        withheld: change.withheld,
      },
    });
  const onApproved = (approval: PinApproval): void =>
    report({
      action: 'approve',
      startedAt: Date.now(),
      durationMs: 0,
      server: approval.server,
      outcome: 'ok',
      errorCode: undefined,
      detail: { kind: approval.kind, name: approval.name, via: approval.via },
      ...(approval.by === undefined ? {} : { principal: approval.by }),
    });
  pins.on('changed', onChanged);
  pins.on('approved', onApproved);
  return () => {
    pins.off('changed', onChanged);
    pins.off('approved', onApproved);
  };
}
