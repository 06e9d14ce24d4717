// Sources import './x.js' (nodenext); jest runs the .ts files, so strip the extension on relative imports.
const base = require('../../jest.base.cjs');
module.exports = {
  ...base,
  moduleNameMapper: { ...base.moduleNameMapper, '^(\\.{1,2}/.*)\\.js$': '$1' },
};
