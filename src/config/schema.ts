/**
 * The configuration file's shape, composed from the schemas of the parts it configures (backends, pipelines, the
 * gateway's exposure, the audit log and limits, OAuth). This zod schema is the only source of truth: code past
 * `load-config.ts` works with the typed `GatewayConfig` it produces.
 */
import { z } from 'zod';

import { AccessConfigSchema } from '../auth/access-config.js';
import { AuthConfigSchema } from '../auth/auth-config.js';
import { RegistrationConfigSchema, ServerConfigSchema, ServerNameSchema } from '../backends/server-config.js';
import { EXPOSE_MODES } from '../gateway/expose-mode.js';
import { AuditConfigSchema } from '../observe/audit-config.js';
import { LimitsConfigSchema } from '../observe/limits-config.js';
import { PipelinesSchema } from '../pipelines/pipelines-section.js';
import { PinningModeSchema } from '../shared/pinning-mode.js';

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
    /** What a changed tool, prompt or resource template definition does (see docs/pinning.md). Default `warn`. */
    pinning: PinningModeSchema.optional(),
    /** The audit log (see docs/audit.md); `--audit-log` overrides its file. */
    audit: AuditConfigSchema.optional(),
    /** Calls and sessions each principal and session may have (see docs/limits.md). */
    limits: LimitsConfigSchema.optional(),
    /** The gateway as an OAuth resource server over HTTP (see docs/auth.md). */
    auth: AuthConfigSchema.optional(),
    /** Who may see and call what (see docs/auth.md#access-rules). None: everything is allowed. */
    access: AccessConfigSchema.optional(),
    /** HTTP: on shutdown, how long requests in progress may take to finish; `--drain-timeout` overrides it. */
    drainTimeoutMs: z
      .number()
      .int()
      .min(0)
      .max(86_400_000, { error: 'drainTimeoutMs is at most 86400000 (a day)' })
      .optional(),
  })
  .refine((config) => !(config.servers && config.mcpServers), {
    message: 'use either "servers" or "mcpServers", not both',
  })
  .transform((config) => ({
    servers: config.servers ?? config.mcpServers ?? {},
    pipelines: config.pipelines ?? {},
    registration: config.registration,
    expose: config.expose,
    pinning: config.pinning,
    audit: config.audit,
    limits: config.limits,
    auth: config.auth,
    access: config.access,
    drainTimeoutMs: config.drainTimeoutMs,
  }));

/** The parsed, validated configuration. */
export type GatewayConfig = z.output<typeof GatewayConfigSchema>;
