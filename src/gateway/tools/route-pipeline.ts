/**
 * `route_pipeline(scenario, input?, steps?)`: runs a named pipeline, or the steps the caller composed
 * (`custom`), across backends, and reports every step.
 */
import { z } from 'zod';

import { formatIssues } from '../../config/format-issues.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { buildPipeline } from '../../pipelines/build-pipeline.js';
import { CUSTOM_SCENARIO, type Pipeline, type PipelineOutcome } from '../../pipelines/pipeline.js';
import type { PipelineCatalog } from '../../pipelines/pipeline-catalog.js';
import { describeInputs } from '../../pipelines/pipeline-inputs.js';
import { PipelineStepSchema } from '../../pipelines/pipeline-schema.js';
import { textOf } from '../../pipelines/result-text.js';
import { runPipeline } from '../../pipelines/run-pipeline.js';
import { PIPELINE_STEP } from '../calls/forward-tool-call.js';
import { endingSpan } from '../calls/observe-call.js';
import type { DescriptionContext, GatewayTool } from './gateway-tool.js';
import { JsonObjectOrString, parseJsonArgument, parseJsonObjectArgument } from './json-argument.js';

/** The tool's arguments. */
export const RoutePipelineInput = z.object({
  scenario: z
    .string()
    .min(1)
    .describe('Name of the pipeline to run, or "custom" to run the steps given in `steps`.'),
  input: JsonObjectOrString.optional().describe(
    'Input values of the pipeline, read by {{input.NAME}} in its steps, e.g. {"state": "NY"}. A named pipeline ' +
      'takes the inputs it declares (see the scenarios); the others have defaults. A JSON string holding the ' +
      'object is accepted too.',
  ),
  steps: z
    .union([z.string(), z.array(PipelineStepSchema)])
    .optional()
    .describe(
      'For "custom": the steps, [{id?, server, tool, params?, after?, timeoutMs?, optional?}]. A step starts once ' +
        'the steps whose ids its `after` lists are done; steps that wait for nothing start at once. Strings in ' +
        'params may hold {{input.NAME}} and {{steps.ID.text}} templates. A JSON string holding the array is ' +
        'accepted too.',
    ),
});

/** The tool's `structuredContent`. */
export const RoutePipelineOutput = z.object({
  scenario: z.string(),
  ok: z.boolean(),
  durationMs: z.number(),
  steps: z.array(
    z.object({
      id: z.string(),
      server: z.string(),
      tool: z.string(),
      status: z.enum(['ok', 'error', 'skipped']),
      durationMs: z.number(),
      optional: z.boolean().optional(),
      result: z.unknown().optional(),
      error: z.string().optional(),
    }),
  ),
});

export const routePipeline: GatewayTool = {
  name: 'route_pipeline',
  description: describeRoutePipeline,
  inputSchema: RoutePipelineInput,
  outputSchema: RoutePipelineOutput,
  annotations: { title: 'Run a pipeline', openWorldHint: true },
  handler: async (raw, context) => {
    const args = RoutePipelineInput.parse(raw);
    const input = parseJsonObjectArgument(args.input, 'input');
    const pipeline = resolvePipeline(args.scenario, args.steps, context.pipelines);
    const outcome = await runPipeline(pipeline, {
      input,
      signal: context.signal,
      caller: ({ id, server, tool, params, signal, timeoutMs }) => {
        const backend = context.directory.get(server);
        if (!backend) {
          return Promise.reject(
            new GatewayError(
              'unknown_server',
              `unknown server "${server}"; registered: ${context.directory.describeNames()}`,
            ),
          );
        }
        const withheld = context.withheldTool(server, tool);
        if (withheld) return Promise.reject(withheld);
        // Traced: the step is a span of its own, the backend request its child.
        const step = context.trace?.child('step', server, id);
        const running = context.forward(backend, tool, params, { signal, timeoutMs }, PIPELINE_STEP, step);
        return step ? endingSpan(step, running) : running;
      },
      onStepDone: context.reportProgress
        ? (step, done, total) =>
            context.reportProgress?.({ progress: done, total, message: `${step.id}: ${step.status}` })
        : undefined,
    });
    return {
      content: [{ type: 'text', text: formatPipelineOutcome(outcome) }],
      structuredContent: { ...outcome },
      ...(outcome.ok ? {} : { isError: outcome.steps.every((step) => step.status !== 'ok') }),
    };
  },
};

/**
 * The description lists the named pipelines whose backends are all registered (a pipeline of the config whose
 * backends are not there is left out until they are), with their inputs; then the `custom` scenario and the
 * templates.
 */
function describeRoutePipeline({ pipelines, directory }: DescriptionContext): string {
  const available = pipelines
    .list()
    .filter((pipeline) => pipeline.steps.every((step) => directory.get(step.server) !== undefined));
  const named = available.map((pipeline) => {
    const inputs = pipeline.inputs && pipeline.inputs.length > 0 ? describeInputs(pipeline.inputs) : [];
    const line = `- ${pipeline.name}: ${pipeline.description || '(no description)'}`;
    return inputs.length > 0 ? `${line}\n  input: ${inputs.join('; ')}` : line;
  });
  return (
    "Run a multi-step workflow across backends and return every step's server, tool, status, duration and output " +
    'or error. A step starts once the steps in its `after` are done, so independent steps run concurrently; a ' +
    'failing step skips the steps that depend on it unless it is optional. Scenarios:\n' +
    named.join('\n') +
    `\n- ${CUSTOM_SCENARIO}: the steps given in \`steps\`, each {id?, server, tool, params?, after?, timeoutMs?, ` +
    'optional?}; `input` is whatever you pass.\n' +
    'Strings in step params may read the input and earlier results: {{input.NAME}}, {{steps.ID.text}}, ' +
    '{{steps.ID.isError}}, {{steps.ID.structured.key[0]}} (the step must be in the `after` chain).'
  );
}

function resolvePipeline(scenario: string, rawSteps: unknown, pipelines: PipelineCatalog): Pipeline {
  if (scenario === CUSTOM_SCENARIO) {
    const steps = z.array(PipelineStepSchema).safeParse(parseJsonArgument(rawSteps, 'steps'));
    if (!steps.success) {
      throw new GatewayError(
        'invalid_input',
        `invalid "steps" for the custom scenario:\n${formatIssues(steps.error.issues)}`,
      );
    }
    if (steps.data.length === 0) {
      throw new GatewayError(
        'invalid_input',
        'the custom scenario needs "steps": [{server, tool, params}, ...]',
      );
    }
    return buildPipeline(
      CUSTOM_SCENARIO,
      { description: 'steps composed by the caller', steps: steps.data },
      { undeclaredInput: true },
    );
  }
  const pipeline = pipelines.get(scenario);
  if (!pipeline) {
    throw new GatewayError(
      'unknown_scenario',
      `unknown scenario "${scenario}"; available: ${pipelines.scenarioNames().join(', ')}`,
    );
  }
  return pipeline;
}

/** A heading with the totals, then each step with its output or error. */
export function formatPipelineOutcome(outcome: PipelineOutcome): string {
  const succeeded = outcome.steps.filter((step) => step.status === 'ok').length;
  const lines = [
    `Pipeline "${outcome.scenario}": ${succeeded}/${outcome.steps.length} step(s) succeeded in ${outcome.durationMs} ms`,
  ];
  for (const step of outcome.steps) {
    lines.push('');
    const optional = step.optional ? ', optional' : '';
    lines.push(
      `## ${step.id}: ${step.server}.${step.tool} - ${step.status} (${step.durationMs} ms${optional})`,
    );
    const output = step.result ? textOf(step.result) : '';
    if (output) lines.push(output);
    if (step.error && step.error !== output) lines.push(`error: ${step.error}`);
  }
  return lines.join('\n');
}
