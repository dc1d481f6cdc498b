/**
 * Vitest global setup of the integration project: makes sure a Node 22+ binary for the conformance suite's CLI is at
 * hand before the tests start (see suite-node.ts), so that the install, once per clone, happens outside any test's
 * timeout. Vitest runs it only when the project has tests to run.
 */
import { ensureSuiteNode } from './suite-node.js';

export default async function setup(): Promise<void> {
  await ensureSuiteNode();
}
