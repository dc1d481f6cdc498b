/**
 * Runs a pipeline's steps as a graph: every step starts as soon as the steps it names in `after` are done, so
 * independent steps run concurrently. A failing step fails only the steps that depend on it (reported skipped).
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

import { plainMessage } from '../errors.js';
import type { Pipeline, PipelineOutcome, PipelineStep, StepCaller, StepOutcome } from './pipeline.js';

/** What a run needs besides the pipeline. */
export interface RunPipelineOptions {
  readonly caller: StepCaller;
  /** Values that replace step parameters of the same name (`state`, `latitude`, `query`...). */
  readonly input?: Readonly<Record<string, unknown>> | undefined;
  /** Cancels the steps in flight when aborted. */
  readonly signal?: AbortSignal | undefined;
  /** Called as each step ends, in the order they end. */
  readonly onStepDone?: ((outcome: StepOutcome, done: number, total: number) => void) | undefined;
}

/** Runs every step and reports each one; never rejects because a step failed. */
export async function runPipeline(pipeline: Pipeline, options: RunPipelineOptions): Promise<PipelineOutcome> {
  const started = performance.now();
  const byId = new Map<string, Promise<StepOutcome>>();
  let done = 0;
  const total = pipeline.steps.length;

  const runStep = async (step: PipelineStep): Promise<StepOutcome> => {
    const dependencies = await Promise.all(
      step.after.map((id) => byId.get(id) ?? Promise.resolve(undefined)),
    );
    const blocked = step.after.filter((_id, index) => dependencies[index]?.status !== 'ok');
    let outcome: StepOutcome;
    if (blocked.length > 0) {
      outcome = {
        ...identify(step),
        status: 'skipped',
        durationMs: 0,
        error: `skipped: ${blocked.join(', ')} did not succeed`,
      };
    } else {
      outcome = await callStep(step, options);
    }
    done += 1;
    options.onStepDone?.(outcome, done, total);
    return outcome;
  };

  // Steps are registered in order, and `after` may only name earlier steps (checked when a pipeline is built), so
  // every dependency's promise exists before a step awaits it.
  for (const step of pipeline.steps) byId.set(step.id, runStep(step));
  const steps = await Promise.all(byId.values());
  return {
    scenario: pipeline.name,
    ok: steps.every((step) => step.status === 'ok'),
    durationMs: Math.round(performance.now() - started),
    steps,
  };
}

async function callStep(step: PipelineStep, options: RunPipelineOptions): Promise<StepOutcome> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  try {
    const result: CallToolResult = await options.caller(
      step.server,
      step.tool,
      applyInput(step.params, options.input),
      options.signal,
    );
    if (result.isError) {
      return {
        ...identify(step),
        status: 'error',
        durationMs: elapsed(),
        result,
        error: textOf(result) || 'the tool reported an error',
      };
    }
    return { ...identify(step), status: 'ok', durationMs: elapsed(), result };
  } catch (error) {
    return { ...identify(step), status: 'error', durationMs: elapsed(), error: plainMessage(error) };
  }
}

/** A step's parameters with the input's values replacing those of the same name. */
export function applyInput(
  params: Readonly<Record<string, unknown>>,
  input: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...params };
  if (!input) return merged;
  for (const key of Object.keys(params)) {
    if (Object.hasOwn(input, key)) merged[key] = input[key];
  }
  return merged;
}

/** The text items of a tool result, joined; other content is named by its type. */
export function textOf(result: CallToolResult): string {
  return result.content
    .map((item) => {
      switch (item.type) {
        case 'text':
          return item.text;
        case 'image':
        case 'audio':
          return `[${item.type} ${item.mimeType}]`;
        case 'resource':
          return 'text' in item.resource ? item.resource.text : `[resource ${item.resource.uri}]`;
        case 'resource_link':
          return `[resource link ${item.uri}]`;
        default:
          return '';
      }
    })
    .filter((text) => text !== '')
    .join('\n');
}

function identify(step: PipelineStep): Pick<StepOutcome, 'id' | 'server' | 'tool'> {
  return { id: step.id, server: step.server, tool: step.tool };
}
