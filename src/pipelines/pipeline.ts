/**
 * What a pipeline is: named steps, each a backend tool call whose params may use templates, run as a graph ordered
 * by `after`, plus the inputs the pipeline declares.
 */
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { CompiledValue } from './templates.js';

/** The scenario of `route_pipeline` whose steps the caller supplies. */
export const CUSTOM_SCENARIO = 'custom';

/** One step: call `server`.`tool` with `params` rendered, once the steps named in `after` have finished. */
export interface PipelineStep {
  readonly id: string;
  readonly server: string;
  readonly tool: string;
  /** The params as written, templates included. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The params compiled once, when the pipeline was built; rendered before each call. */
  readonly template: CompiledValue;
  readonly after: readonly string[];
  /** This step's call timeout, in place of the backend's. */
  readonly timeoutMs: number | undefined;
  /** When true, the step failing (or being skipped) does not skip the steps that depend on it. */
  readonly optional: boolean;
}

/** One input a pipeline declares: `{{input.NAME}}` in its params reads it. */
export interface PipelineInput {
  readonly name: string;
  readonly description: string;
  /** Used when the caller does not give the input; `undefined` for none (JSON has no `undefined`). */
  readonly default: unknown;
  /** A required input must be given by the caller; never true when there is a default. */
  readonly required: boolean;
}

/** A runnable pipeline. */
export interface Pipeline {
  readonly name: string;
  readonly description: string;
  /**
   * The inputs it takes. `undefined` (the `custom` scenario) means undeclared: whatever the caller gives is
   * available to templates, and nothing is checked before the run.
   */
  readonly inputs: readonly PipelineInput[] | undefined;
  readonly steps: readonly PipelineStep[];
}

/** How a step ended. `skipped`: it never ran, because a step it depends on did not succeed or the run was cancelled. */
export type StepStatus = 'ok' | 'error' | 'skipped';

/** The outcome of one step. `result` is the backend's result, unchanged; `error` says why it failed. */
export interface StepOutcome {
  readonly id: string;
  readonly server: string;
  readonly tool: string;
  readonly status: StepStatus;
  readonly durationMs: number;
  /** Present (true) only for optional steps. */
  readonly optional?: true;
  readonly result?: CallToolResult;
  readonly error?: string;
}

/** The outcome of a whole run. `ok` when every step that is not optional succeeded. */
export interface PipelineOutcome {
  readonly scenario: string;
  readonly ok: boolean;
  readonly durationMs: number;
  readonly steps: readonly StepOutcome[];
}

/** One backend call a step makes. */
export interface StepCall {
  /** The step's id (for traces: each step is a span). */
  readonly id: string;
  readonly server: string;
  readonly tool: string;
  readonly params: Record<string, unknown>;
  /** Aborted when the caller cancels the run or the step's timeout passes: the backend request must be cancelled. */
  readonly signal: AbortSignal;
  /** The step's own timeout, for callers that can apply it natively; the runner enforces it in any case. */
  readonly timeoutMs: number | undefined;
}

/** How pipelines reach backends: the gateway passes one in; pipelines know nothing else of backends. */
export type StepCaller = (call: StepCall) => Promise<CallToolResult>;
