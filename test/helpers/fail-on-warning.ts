// A process warning (an unhandled rejection turned warning, a MaxListeners leak) is a bug: fail the test run on it.
process.on('warning', (warning) => {
  throw warning;
});
