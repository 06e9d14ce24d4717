// Relative imports are written with a .js extension (see tsconfig); map them back to the .ts sources.
// @rjsf/utils pulls in an ESM-only dependency (@x0k/json-schema-merge), so that one is transformed too.
module.exports = {
  ...require('../../jest.base.cjs'),
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transformIgnorePatterns: ['/node_modules/(?!@x0k/)'],
};
