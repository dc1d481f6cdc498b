/**
 * Library entry point: run a gateway from code, or reuse its parts.
 */
export { DEFAULT_BACKEND_OPTIONS } from './backends/backend-options.js';
export type { BackendOptions } from './backends/backend-options.js';
export { BackendRegistry } from './backends/backend-registry.js';
export type { ManagedBackend } from './backends/managed-backend.js';
export { createRegistrationPolicy } from './backends/registration/registration-policy.js';
export type { RegistrationPolicyOptions } from './backends/registration/registration-policy.js';
export type { ServerConfig } from './backends/server-config.js';
export { loadConfig, parseConfig } from './config/load-config.js';
export type { LoadedConfig } from './config/load-config.js';
export type { GatewayConfig } from './config/schema.js';
export { GatewayError } from './errors/gateway-error.js';
export type { GatewayErrorCode } from './errors/gateway-error.js';
export { ProtocolError } from './errors/protocol-error.js';
export { toProtocolError } from './errors/to-wire.js';
export { createGateway } from './gateway/create-gateway.js';
export type { CreateGatewayOptions, Gateway } from './gateway/create-gateway.js';
export type { ExposeMode } from './gateway/expose-mode.js';
export type { GatewaySession } from './gateway/session.js';
export { createStderrLogger, silentLogger } from './logger.js';
export type { Logger, LogLevel } from './logger.js';
export { buildPipeline } from './pipelines/build-pipeline.js';
export { PipelineCatalog } from './pipelines/pipeline-catalog.js';
export type {
  Pipeline,
  PipelineInput,
  PipelineOutcome,
  PipelineStep,
  StepOutcome,
} from './pipelines/pipeline.js';
export type { PipelineConfig, PipelineInputConfig, PipelineStepConfig } from './pipelines/pipeline-schema.js';
export type {
  Backend,
  BackendCallOptions,
  BackendDirectory,
  BackendMessage,
  UpwardHandler,
} from './shared/backend.js';
export type { BackendInfo, BackendState } from './shared/backend-info.js';
export type { RegistrationPolicy, RegistrationRequest } from './shared/registration-policy.js';
export { startGateway } from './start-gateway.js';
export type {
  HttpFrontDoorOptions,
  RunningGateway,
  StartGatewayOptions,
  TransportKind,
} from './start-gateway.js';
