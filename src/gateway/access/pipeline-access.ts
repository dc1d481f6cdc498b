/**
 * A pipeline runs whole or not at all: before any step starts, the caller must be allowed the pipeline (a named
 * one, or `custom` for steps it composed) and every step's tool. A refusal names the step and the rule.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { Pipeline } from '../../pipelines/pipeline.js';
import type { SessionAccess } from './access-policy.js';

/** @throws GatewayError `access_denied` when the pipeline, or the tool of one of its steps, is not allowed. */
export function checkPipelineAccess(pipeline: Pipeline, access: SessionAccess): void {
  const rights = access.rights();
  if (rights.unrestricted) return;
  const denied = rights.refusal(access.principal, 'pipeline', '', pipeline.name);
  if (denied) throw denied;
  for (const step of pipeline.steps) {
    const refusal = rights.refusal(access.principal, 'tool', step.server, step.tool);
    if (!refusal) continue;
    throw new GatewayError(
      'access_denied',
      `pipeline "${pipeline.name}" refused whole, no step ran: step "${step.id}" (${step.server}.${step.tool}): ` +
        refusal.message,
      { backend: step.server, tool: step.tool, data: { access: 'denied', step: step.id } },
    );
  }
}
