/**
 * The configuration file's shape. This zod schema is the only source of truth: code past `load-config.ts` works
 * with the typed `GatewayConfig` it produces.
 */
import { z } from 'zod';

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
export const ServerConfigSchema = z.object({
  command: z.string().min(1, 'command must not be empty'),
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
});

/** One step of a pipeline: a backend tool call with fixed parameters. */
export const PipelineStepSchema = z.object({
  id: z.string().min(1).optional(),
  server: z.string().min(1),
  tool: z.string().min(1),
  params: z.record(z.string(), z.unknown()).optional(),
  after: z.array(z.string().min(1)).optional(),
});

/** A named pipeline declared in the config file. */
export const PipelineConfigSchema = z.object({
  description: z.string().optional(),
  steps: z.array(PipelineStepSchema).min(1, 'a pipeline needs at least one step'),
});

const serversRecord = z.record(ServerNameSchema, ServerConfigSchema);

/**
 * The whole file. `mcpServers` is accepted as a synonym of `servers` so that an existing
 * `claude_desktop_config.json` works as it is.
 */
export const GatewayConfigSchema = z
  .object({
    servers: serversRecord.optional(),
    mcpServers: serversRecord.optional(),
    pipelines: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), PipelineConfigSchema).optional(),
  })
  .refine((config) => !(config.servers && config.mcpServers), {
    message: 'use either "servers" or "mcpServers", not both',
  })
  .transform((config) => ({
    servers: config.servers ?? config.mcpServers ?? {},
    pipelines: config.pipelines ?? {},
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
/** The parsed, validated configuration. */
export type GatewayConfig = z.output<typeof GatewayConfigSchema>;
