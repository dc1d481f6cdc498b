/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance`), run on Node 22+ against a Streamable HTTP
 * endpoint at a protocol revision, and the conformance fixtures it measures. One concept per file in
 * `./conformance/`; this module gathers what the tests use.
 */
export type { ConformanceOutcome } from './conformance/checks.js';
export { CONFORMANCE_CLI } from './conformance/cli.js';
export {
  CONFORMANCE_FIXTURES,
  scenariosToPass,
  type ConformanceFixtureName,
  type FixtureClaims,
} from './conformance/expectations.js';
export { startConformanceFixture, type ConformanceFixture } from './conformance/fixture-process.js';
export {
  REVISIONS,
  serverRequirements,
  type Revision,
  type ServerRequirements,
} from './conformance/requirements.js';
export { runConformance, type RunConformanceOptions } from './conformance/run.js';
export { ensureSuiteNode, findSuiteNode, SUITE_NODE_VARIABLE } from './conformance/suite-node.js';
