/**
 * The steps of a `route_pipeline` result, as tests read them.
 */
import type { CallToolResult } from '@modelcontextprotocol/server';

/** One step of a `route_pipeline` result's `structuredContent`. */
export interface StepShape {
  readonly id: string;
  readonly server: string;
  readonly tool: string;
  readonly status: string;
  readonly durationMs: number;
  readonly optional?: boolean;
  readonly error?: string;
}

/** The steps of a `route_pipeline` result; throws when it has no `structuredContent`. */
export function stepsOf(result: CallToolResult): StepShape[] {
  const structured = result.structuredContent as { steps: StepShape[] } | undefined;
  if (!structured) throw new Error(`no structuredContent in ${JSON.stringify(result)}`);
  return structured.steps;
}
