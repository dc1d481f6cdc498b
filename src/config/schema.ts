/**
 * The configuration file's shape. This zod schema is the only source of truth: code past `load-config.ts` works
 * with the typed `GatewayConfig` it produces.
 */
import { z } from 'zod';

import { checkPipelineConfig } from '../pipelines/build-pipeline.js';

/** Backend names: what `register_server` accepts and what prefixes a backend's tools. */
export const SERVER_NAME_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** A valid backend name. */
export const ServerNameSchema = z
  .string()
  .regex(SERVER_NAME_PATTERN, 'a server name is 1 to 32 letters, digits, "_" or "-"');

/** When and how often a backend that crashed is started again. Every field is optional. */
export const RestartPolicySchema = z.object({
  /** Restarts in a row before giving up (state `failed`); 0 turns restarting off. */
  maxAttempts: z.number().int().min(0).optional(),
  /** Delay before the first restart; doubled for each following one. */
  initialDelayMs: z.number().int().min(0).optional(),
  /** Ceiling of the delay. */
  maxDelayMs: z.number().int().min(0).optional(),
  /** Running this long after a (re)start resets the count of restarts in a row. */
  resetAfterMs: z.number().int().min(0).optional(),
});

/** A periodic ping; a backend that does not answer in time is restarted. */
export const HealthCheckSchema = z.object({
  intervalMs: z.number().int().positive(),
  timeoutMs: z.number().int().positive().optional(),
});

/** One backend in the config file, in the shape of a `claude_desktop_config.json` entry plus our own fields. */
export const ServerConfigSchema = z
  .object({
    /** The executable of a local backend (stdio). Exactly one of `command` and `url`. */
    command: z.string().min(1, 'command must not be empty').optional(),
    /** The endpoint of a remote backend (Streamable HTTP, falling back to SSE). */
    url: z.url({ protocol: /^https?$/, error: 'url must be an http:// or https:// URL' }).optional(),
    /** HTTP headers sent to a remote backend (e.g. Authorization). Never logged. */
    headers: z.record(z.string(), z.string()).optional(),
    /** Prefix of the backend's tool and prompt names (`<prefix>__<name>`); default the server name, "" for none. */
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]{0,32}$/, 'a prefix is 0 to 32 letters, digits, "_" or "-"')
      .optional(),
    /** Which of the backend's tools are exposed: only those in `allow`, or all but those in `deny`. */
    tools: z
      .union(
        [z.strictObject({ allow: z.array(z.string()) }), z.strictObject({ deny: z.array(z.string()) })],
        {
          error: 'tools is {"allow": [names]} or {"deny": [names]}',
        },
      )
      .optional(),
    args: z.union([z.array(z.string()), z.string()]).optional(),
    env: z.record(z.string(), z.string()).optional(),
    /** Hand the backend the gateway's whole environment instead of the minimal one. */
    inheritEnv: z.boolean().optional(),
    cwd: z.string().min(1).optional(),
    description: z.string().optional(),
    timeoutMs: z.number().int().positive().optional(),
    restart: z.union([z.literal(false), RestartPolicySchema]).optional(),
    healthCheck: HealthCheckSchema.optional(),
    maxMessageBytes: z.number().int().positive().optional(),
  })
  .refine((server) => (server.command === undefined) !== (server.url === undefined), {
    error: 'give exactly one of "command" (a local server) and "url" (a remote one)',
  });

/** Pipeline names, step ids and input names: what templates such as `{{steps.ID.text}}` can name. */
const PIPELINE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const PIPELINE_NAME_RULE = 'is 1 to 64 letters, digits, "_" or "-"';

/**
 * One step of a pipeline: a backend tool call. Strings in `params` may hold templates (`{{input.state}}`,
 * `{{steps.ID.text}}`; see src/pipelines/templates.ts).
 */
export const PipelineStepSchema = z.object({
  id: z.string().regex(PIPELINE_NAME_PATTERN, `a step id ${PIPELINE_NAME_RULE}`).optional(),
  server: z.string().min(1),
  tool: z.string().min(1),
  params: z.record(z.string(), z.unknown()).optional(),
  /** Ids of the steps this one waits for, in any order of the list of steps. */
  after: z.array(z.string().min(1)).optional(),
  /** This step's call timeout, in place of the backend's. */
  timeoutMs: z.number().int().positive().optional(),
  /** When true, this step failing does not skip the steps that depend on it. */
  optional: z.boolean().optional(),
});

/** One input a pipeline declares, read by `{{input.NAME}}`. Required unless it has a default or says otherwise. */
export const PipelineInputSchema = z.object({
  description: z.string().optional(),
  /** Any JSON value, used when the caller does not give the input. */
  default: z.unknown().optional(),
  required: z.boolean().optional(),
});

/** A named pipeline declared in the config file. */
export const PipelineConfigSchema = z.object({
  description: z.string().optional(),
  input: z
    .record(
      z.string().regex(PIPELINE_NAME_PATTERN, `an input name ${PIPELINE_NAME_RULE}`),
      PipelineInputSchema,
    )
    .optional(),
  steps: z.array(PipelineStepSchema).min(1, 'a pipeline needs at least one step'),
});

/**
 * The `pipelines` section. Each pipeline is built once here, so that a cycle, an `after` naming no step or a
 * malformed template is a config error naming the pipeline and the step.
 */
export const PipelinesSchema = z
  .record(
    z.string().regex(PIPELINE_NAME_PATTERN, `a pipeline name ${PIPELINE_NAME_RULE}`),
    PipelineConfigSchema,
  )
  .superRefine((pipelines, context) => {
    for (const [name, pipeline] of Object.entries(pipelines)) {
      const problem = checkPipelineConfig(name, pipeline);
      if (!problem) continue;
      context.addIssue({ code: 'custom', path: [name, ...problem.path], message: problem.message });
    }
  });

/** Limits on `register_server`. Servers listed in the file itself are not subject to them. */
export const RegistrationConfigSchema = z.object({
  /**
   * Executables `register_server` may start: names looked up on PATH, or paths (relative to this file's folder).
   * Compared by the file they resolve to. Absent: any; empty: none.
   */
  allowCommands: z.array(z.string().min(1)).optional(),
});

/**
 * What `tools/list` shows: `all`, the gateway's own tools and every backend tool (the default); `gateway`, only the
 * gateway's own tools, the backends' being found with `search_tools` and called with `call_backend`.
 */
export const EXPOSE_MODES = ['all', 'gateway'] as const;
/** One of {@link EXPOSE_MODES}. */
export type ExposeMode = (typeof EXPOSE_MODES)[number];

const serversRecord = z.record(ServerNameSchema, ServerConfigSchema);

/**
 * The whole file. `mcpServers` is accepted as a synonym of `servers` so that an existing
 * `claude_desktop_config.json` works as it is.
 */
export const GatewayConfigSchema = z
  .object({
    servers: serversRecord.optional(),
    mcpServers: serversRecord.optional(),
    pipelines: PipelinesSchema.optional(),
    registration: RegistrationConfigSchema.optional(),
    /** What `tools/list` shows; the `--expose` flag overrides it. Default `all`. */
    expose: z.enum(EXPOSE_MODES, { error: 'expose is "all" or "gateway"' }).optional(),
  })
  .refine((config) => !(config.servers && config.mcpServers), {
    message: 'use either "servers" or "mcpServers", not both',
  })
  .transform((config) => ({
    servers: config.servers ?? config.mcpServers ?? {},
    pipelines: config.pipelines ?? {},
    registration: config.registration,
    expose: config.expose,
  }));

/** A restart policy as written in the file. */
export type RestartPolicyConfig = z.infer<typeof RestartPolicySchema>;
/** A health check as written in the file. */
export type HealthCheckConfig = z.infer<typeof HealthCheckSchema>;
/** A backend's configuration as written in the file. */
export type ServerConfig = z.infer<typeof ServerConfigSchema>;
/** A pipeline step as written in the file. */
export type PipelineStepConfig = z.infer<typeof PipelineStepSchema>;
/** A pipeline as written in the file. */
export type PipelineConfig = z.infer<typeof PipelineConfigSchema>;
/** A pipeline input declaration as written in the file. */
export type PipelineInputConfig = z.infer<typeof PipelineInputSchema>;
/** The `registration` section as written in the file. */
export type RegistrationConfig = z.infer<typeof RegistrationConfigSchema>;
/** The parsed, validated configuration. */
export type GatewayConfig = z.output<typeof GatewayConfigSchema>;
