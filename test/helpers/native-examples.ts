/**
 * Whether the example backend that needs a native module (sqlite, on better-sqlite3) can run in this test run. The
 * module is compiled for the Node.js that installed it; CI also runs the suite on other Node versions, where it
 * cannot load, and says so with `MCP_GATEWAY_TEST_WITHOUT_NATIVE=1`: the tests that need it are then skipped, and
 * reported as skipped. Without the variable a broken build fails those tests, as it should.
 */
export const NATIVE_EXAMPLES: boolean = process.env.MCP_GATEWAY_TEST_WITHOUT_NATIVE !== '1';
