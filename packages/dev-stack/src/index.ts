export { startStack, redactUrl, type RunningStack, type StackOptions } from './stack.js';
export {
  ensureBinary,
  MissingBinaryError,
  VERSIONS,
  type BinaryName,
  type ResolvedBinary,
} from './binaries.js';
export { cairnHome, findRepoRoot } from './paths.js';
export { freePort } from './services.js';
export {
  ensureChromium,
  missingLibraries,
  MissingBrowserError,
  CHROMIUM_PACKAGE,
  type ResolvedBrowser,
} from './browser.js';
