// Fault drills are slow and start their own stack: only `npm run faults` runs them, one file at a time.
module.exports = {
  ...require('../../jest.base.cjs'),
  testMatch: ['<rootDir>/test/**/*.fault.test.ts'],
  testTimeout: 10 * 60_000,
  maxWorkers: 1,
};
