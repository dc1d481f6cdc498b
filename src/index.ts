/**
 * Library entry point: run a gateway from code, or reuse its parts.
 */
export { BackendRegistry, DEFAULT_BACKEND_OPTIONS } from './backends/backend-registry.js';
export type { Backend, BackendInfo, BackendOptions, BackendState } from './backends/backend.js';
export { loadConfig, parseConfig } from './config/load-config.js';
export type { LoadedConfig } from './config/load-config.js';
export type { GatewayConfig } from './config/schema.js';
export type { ServerConfig } from './backends/server-config.js';
export type { ExposeMode } from './gateway/expose-mode.js';
export type { PipelineConfig, PipelineInputConfig, PipelineStepConfig } from './pipelines/pipeline-schema.js';
export { GatewayError, ProtocolError, toProtocolError } from './errors.js';
export type { GatewayErrorCode } from './errors.js';
export { createGateway } from './gateway/create-gateway.js';
export type { GatewayDependencies, GatewayInstance } from './gateway/create-gateway.js';
export { createRegistrationPolicy } from './gateway/registration-policy.js';
export type {
  RegistrationPolicy,
  RegistrationPolicyOptions,
  RegistrationRequest,
} from './gateway/registration-policy.js';
export { createStderrLogger, silentLogger } from './logger.js';
export type { Logger, LogLevel } from './logger.js';
export { buildPipeline, PipelineCatalog } from './pipelines/build-pipeline.js';
export type {
  Pipeline,
  PipelineInput,
  PipelineOutcome,
  PipelineStep,
  StepOutcome,
} from './pipelines/pipeline.js';
export { startGateway } from './start-gateway.js';
export type { GatewayHandle, GatewayOptions, HttpFrontDoorOptions, TransportKind } from './start-gateway.js';
