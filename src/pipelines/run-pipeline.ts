/**
 * Runs a pipeline's steps as a graph: every step starts as soon as the steps it names in `after` are done, so
 * independent steps run concurrently. A failing step skips the steps that depend on it, unless it is optional.
 */
import type { CallToolResult } from '@modelcontextprotocol/server';
import { GatewayError } from '../errors/gateway-error.js';
import { plainMessage } from '../errors/protocol-error.js';
import type { Pipeline, PipelineOutcome, PipelineStep, StepCaller, StepOutcome } from './pipeline.js';
import { resolveInput, type ResolvedInput } from './pipeline-inputs.js';
import { textOf } from './result-text.js';
import { findCycle } from './step-graph.js';
import { renderTemplate } from './render-template.js';
import { describePath, TemplateError } from './templates.js';

export { textOf } from './result-text.js';

/** What a run needs besides the pipeline. */
export interface RunPipelineOptions {
  readonly caller: StepCaller;
  /** The caller's input values, read by `{{input.NAME}}`; checked against the pipeline's declared inputs. */
  readonly input?: Readonly<Record<string, unknown>> | undefined;
  /** Aborting it cancels the steps in flight; steps that have not started never start. */
  readonly signal?: AbortSignal | undefined;
  /** Called as each step ends (skipped ones included), in the order they end. */
  readonly onStepDone?: ((outcome: StepOutcome, done: number, total: number) => void) | undefined;
}

/**
 * Runs every step and reports each one, in the pipeline's order. Rejects only before any step starts: for input
 * the pipeline does not accept (a `GatewayError` saying what is wrong), or a pipeline whose steps wait for each
 * other in a cycle (which `buildPipeline` never produces). A failing step is reported, never thrown.
 */
export async function runPipeline(pipeline: Pipeline, options: RunPipelineOptions): Promise<PipelineOutcome> {
  const started = performance.now();
  const input = resolveInput(pipeline, options.input);
  const cycle = findCycle(pipeline.steps);
  if (cycle) {
    throw new GatewayError(
      'invalid_input',
      `pipeline "${pipeline.name}": "after" makes a cycle: ${cycle.join(' -> ')}`,
    );
  }
  const byId = new Map(pipeline.steps.map((step) => [step.id, step]));
  const finished = new Map<string, StepOutcome>();
  const running = new Map<string, Promise<StepOutcome | undefined>>();
  const total = pipeline.steps.length;

  const outcomeOf = (id: string): Promise<StepOutcome | undefined> => {
    let promise = running.get(id);
    if (!promise) {
      const step = byId.get(id);
      // Registered before it awaits anything, so each step runs once; the graph has no cycle (checked above).
      promise = step ? runStep(step) : Promise.resolve(undefined);
      running.set(id, promise);
    }
    return promise;
  };

  const runStep = async (step: PipelineStep): Promise<StepOutcome> => {
    const dependencies = await Promise.all(step.after.map(outcomeOf));
    const blocked = step.after.filter((id, index) => {
      const dependency = dependencies[index];
      return dependency?.status !== 'ok' && byId.get(id)?.optional !== true;
    });
    let outcome: StepOutcome;
    if (blocked.length > 0) {
      outcome = skipped(step, `skipped: ${blocked.join(', ')} did not succeed`);
    } else if (options.signal?.aborted) {
      outcome = skipped(step, 'skipped: the pipeline was cancelled before this step started');
    } else {
      outcome = await callStep(step, { ...input, steps: finished }, options);
    }
    finished.set(step.id, outcome);
    options.onStepDone?.(outcome, finished.size, total);
    return outcome;
  };

  const steps = (await Promise.all(pipeline.steps.map((step) => outcomeOf(step.id)))).filter(
    (step): step is StepOutcome => step !== undefined,
  );
  return {
    scenario: pipeline.name,
    ok: steps.every((step) => step.status === 'ok' || step.optional === true),
    durationMs: Math.round(performance.now() - started),
    steps,
  };
}

/** Renders the step's params, then calls it under the caller's signal and the step's own timeout. */
async function callStep(
  step: PipelineStep,
  scope: ResolvedInput & { readonly steps: ReadonlyMap<string, StepOutcome> },
  options: RunPipelineOptions,
): Promise<StepOutcome> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  let params: Record<string, unknown>;
  try {
    params = renderTemplate(step.template, scope) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return failed(step, 0, `${describePath('params', error.at)}: ${error.message}`);
  }

  const what = `${step.server}.${step.tool}`;
  const controller = new AbortController();
  const onCallerAbort = (): void =>
    controller.abort(
      new GatewayError('cancelled', `${what} was cancelled`, { backend: step.server, tool: step.tool }),
    );
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const timer =
    step.timeoutMs === undefined
      ? undefined
      : setTimeout(
          () =>
            controller.abort(
              new GatewayError('timeout', `${what} timed out after ${step.timeoutMs} ms`, {
                backend: step.server,
                tool: step.tool,
              }),
            ),
          step.timeoutMs,
        );
  try {
    const call = new Promise<CallToolResult>((resolve) =>
      resolve(
        options.caller({
          id: step.id,
          server: step.server,
          tool: step.tool,
          params,
          signal: controller.signal,
          timeoutMs: step.timeoutMs,
        }),
      ),
    );
    const result = await untilAborted(call, controller.signal);
    if (result.isError) {
      return { ...failed(step, elapsed(), textOf(result) || 'the tool reported an error'), result };
    }
    return { ...identify(step), status: 'ok', durationMs: elapsed(), result };
  } catch (error) {
    return failed(step, elapsed(), plainMessage(error));
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}

/**
 * Settles with `promise`, or rejects with the signal's reason as soon as it is aborted: a step ends when it is
 * cancelled or times out, whether or not the backend call honours the signal.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function skipped(step: PipelineStep, error: string): StepOutcome {
  return { ...identify(step), status: 'skipped', durationMs: 0, error };
}

function failed(step: PipelineStep, durationMs: number, error: string): StepOutcome {
  return { ...identify(step), status: 'error', durationMs, error };
}

function identify(step: PipelineStep): Pick<StepOutcome, 'id' | 'server' | 'tool' | 'optional'> {
  return { id: step.id, server: step.server, tool: step.tool, ...(step.optional ? { optional: true } : {}) };
}
