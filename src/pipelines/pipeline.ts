/**
 * What a pipeline is: named, static steps, each a backend tool call, ordered by `after` where order matters.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** One step: call `server`.`tool` with `params`, after the steps named in `after` have finished. */
export interface PipelineStep {
  readonly id: string;
  readonly server: string;
  readonly tool: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly after: readonly string[];
}

/** A runnable pipeline. */
export interface Pipeline {
  readonly name: string;
  readonly description: string;
  readonly steps: readonly PipelineStep[];
}

/** How a step ended. `skipped`: a step it depends on did not succeed. */
export type StepStatus = 'ok' | 'error' | 'skipped';

/** The outcome of one step. `result` is the backend's result, unchanged; `error` says why it failed. */
export interface StepOutcome {
  readonly id: string;
  readonly server: string;
  readonly tool: string;
  readonly status: StepStatus;
  readonly durationMs: number;
  readonly result?: CallToolResult;
  readonly error?: string;
}

/** The outcome of a whole run. `ok` when every step succeeded. */
export interface PipelineOutcome {
  readonly scenario: string;
  readonly ok: boolean;
  readonly durationMs: number;
  readonly steps: readonly StepOutcome[];
}

/** How pipelines reach backends: the gateway passes one in; pipelines know nothing else of backends. */
export type StepCaller = (
  server: string,
  tool: string,
  params: Record<string, unknown>,
  signal: AbortSignal | undefined,
) => Promise<CallToolResult>;
