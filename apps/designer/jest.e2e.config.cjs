// Browser tests: the real API and worker as child processes, Chromium driven by playwright-core.
// They need MONGO_URL and TEMPORAL_ADDRESS (the repo's test run starts the embedded stack) and a built dist/.
module.exports = {
  ...require('../../jest.base.cjs'),
  testMatch: ['<rootDir>/e2e/**/*.e2e.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 180_000,
  maxWorkers: 1,
};
