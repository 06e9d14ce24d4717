#!/usr/bin/env node
// npm run audit:check: fails when a production dependency has a high or critical advisory, and lists
// each one readably (package, severity, advisory, the path that pulls it in, whether a fix exists).
// Exit codes: 0 clean, 1 high/critical advisories found, 2 the audit itself could not run.
// `node scripts/audit.mjs --from report.json` reads a saved `npm audit --json` report instead of asking the registry.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BLOCKING = new Set(['high', 'critical']);

function readReport() {
  const from = process.argv.indexOf('--from');
  if (from !== -1) return readFileSync(process.argv[from + 1], 'utf8');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = spawnSync(npm, ['audit', '--omit=dev', '--audit-level=high', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) fail(`could not run npm audit: ${run.error.message}`);
  return run.stdout;
}

function fail(message) {
  console.error(`audit:check: ${message}`);
  process.exit(2);
}

/** The advisories behind one vulnerable package: objects in `via`, or names of other vulnerable packages. */
function advisoriesOf(vuln) {
  return (vuln.via ?? []).filter((v) => typeof v === 'object');
}

function fixOf(vuln) {
  const fix = vuln.fixAvailable;
  if (fix === true) return 'fix: npm audit fix';
  if (fix && typeof fix === 'object')
    return `fix: ${fix.name}@${fix.version}${fix.isSemVerMajor ? ' (semver-major: check the changelog)' : ''}`;
  return 'no fix published yet';
}

const text = readReport();
let report;
try {
  report = JSON.parse(text);
} catch {
  fail(`npm audit did not answer JSON:\n${text.slice(0, 2000)}`);
}
if (!report.vulnerabilities) {
  // The registry refused or could not answer (offline, a mirror without the audit endpoint, ...).
  const why = report.message ?? report.error?.summary ?? JSON.stringify(report).slice(0, 500);
  fail(
    `the audit endpoint did not answer: ${why}\nThe dependencies were NOT checked. Run it where registry.npmjs.org's audit endpoint is reachable.`,
  );
}

const blocking = Object.values(report.vulnerabilities)
  .filter((v) => BLOCKING.has(v.severity))
  .sort((a, b) =>
    a.severity === b.severity ? a.name.localeCompare(b.name) : a.severity === 'critical' ? -1 : 1,
  );
const counts = report.metadata?.vulnerabilities ?? {};
const summary = ['critical', 'high', 'moderate', 'low', 'info']
  .map((s) => `${counts[s] ?? 0} ${s}`)
  .join(', ');

if (blocking.length === 0) {
  console.log(
    `audit:check: no high or critical advisories in production dependencies (${summary}).`,
  );
  process.exit(0);
}

console.error(
  `audit:check: ${blocking.length} production ${blocking.length === 1 ? 'dependency has' : 'dependencies have'} high or critical advisories (${summary}):\n`,
);
for (const vuln of blocking) {
  console.error(
    `  ${vuln.severity.toUpperCase().padEnd(8)} ${vuln.name} ${vuln.range ?? ''}${vuln.isDirect ? ' (direct dependency)' : ''}`,
  );
  for (const advisory of advisoriesOf(vuln))
    console.error(
      `           ${advisory.title ?? 'advisory'}${advisory.url ? ` ${advisory.url}` : ''}`,
    );
  const through = (vuln.via ?? []).filter((v) => typeof v === 'string');
  if (through.length) console.error(`           through ${through.join(', ')}`);
  if (vuln.nodes?.length)
    console.error(
      `           installed at ${vuln.nodes.slice(0, 3).join(', ')}${vuln.nodes.length > 3 ? ', ...' : ''}`,
    );
  console.error(`           ${fixOf(vuln)}`);
}
process.exit(1);
