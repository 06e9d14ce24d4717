// Designer canvas benchmark: a generated 500-node journey in Chromium.
// Measures (1) time from navigation to the canvas showing all nodes and (2) frame times while panning with the mouse.
// It measures the browser side only: the built designer (apps/designer/dist) is served from disk and the few API
// calls the editor makes are answered at the network layer with the generated journey, so no server time is included.
//
//   npx vite build (in apps/designer), then:  node bench/designer.mjs [--nodes 500] [--runs 3] [--dry-run]
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, extname, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { writeSection } from './lib.mjs';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const { cairnHome, ensureChromium } = require('../packages/dev-stack/dist/index.js');
// CHROMIUM_PATH, a system Chromium, or the packed build unpacked into .cairn/ (installed on first use).
const chromiumPath = ensureChromium({ home: cairnHome() }).path;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// DESIGNER_DIST points at another build (say, of the previous commit) to compare the two on one machine.
const dist = process.env.DESIGNER_DIST ?? join(root, 'apps', 'designer', 'dist');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const NODE_COUNT = arg('nodes', 500);
const RUNS = arg('runs', 3);
if (!existsSync(join(dist, 'index.html')))
  throw new Error('apps/designer/dist is missing: run `npx vite build` in apps/designer first');

/** A tree of delays, emails and yes/no branches, laid out in rows, ending in exits. */
function generateJourney(count) {
  const nodes = [
    { id: 'trigger', kind: 'trigger', trigger: { type: 'manual' }, position: { x: 0, y: 0 } },
  ];
  const edges = [];
  const open = [{ id: 'trigger', output: 'next', depth: 0 }];
  const perRow = new Map();
  const place = (depth) => {
    const col = perRow.get(depth) ?? 0;
    perRow.set(depth, col + 1);
    return { x: col * 280, y: depth * 170 };
  };
  let i = 0;
  while (nodes.length < count - open.length && open.length > 0) {
    const from = open.shift();
    const id = `n${++i}`;
    const kind = i % 7 === 0 ? 'branch' : i % 2 === 0 ? 'action' : 'delay';
    const position = place(from.depth + 1);
    if (kind === 'branch')
      nodes.push({
        id,
        kind,
        position,
        condition: { on: 'eventSinceEntry', event: 'Order Completed' },
      });
    else if (kind === 'action')
      nodes.push({
        id,
        kind,
        position,
        action: { type: 'email', version: 1 },
        config: { subject: `Email ${i}`, html: '<p>Hi</p>' },
      });
    else nodes.push({ id, kind, position, duration: { amount: 1 + (i % 5), unit: 'days' } });
    edges.push({ id: `e${i}`, source: from.id, sourceHandle: from.output, target: id });
    const outputs =
      kind === 'branch' ? ['yes', 'no'] : kind === 'action' ? ['sent', 'skipped'] : ['next'];
    // An email's "skipped" goes straight to an exit so the tree keeps growing along "sent".
    for (const output of outputs) {
      if (kind === 'action' && output === 'skipped') {
        const exitId = `x${i}`;
        nodes.push({ id: exitId, kind: 'exit', position: place(from.depth + 2) });
        edges.push({ id: `ex${i}`, source: id, sourceHandle: output, target: exitId });
      } else open.push({ id, output, depth: from.depth + 1 });
    }
  }
  for (const leaf of open) {
    const exitId = `end-${leaf.id}-${leaf.output}`;
    nodes.push({ id: exitId, kind: 'exit', position: place(leaf.depth + 1) });
    edges.push({ id: `e-${exitId}`, source: leaf.id, sourceHandle: leaf.output, target: exitId });
  }
  return {
    name: `Bench ${nodes.length} nodes`,
    settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
    nodes,
    edges,
  };
}

const definition = generateJourney(NODE_COUNT);
const emailManifest = {
  type: 'email',
  version: 1,
  title: 'Send email',
  description: '',
  category: 'message',
  icon: 'mail',
  outputs: [
    { name: 'sent', label: 'Sent' },
    { name: 'skipped', label: 'Skipped' },
  ],
  configJsonSchema: {
    type: 'object',
    required: ['subject', 'html'],
    properties: {
      subject: { type: 'string', minLength: 1 },
      html: { type: 'string', minLength: 1 },
    },
  },
};
const apiAnswers = {
  '/api/v1/me': {
    workspace: { id: 'bench', name: 'Bench' },
    principal: { type: 'key', id: 'bench', role: 'admin' },
  },
  '/api/v1/catalog/actions': [emailManifest],
  '/api/v1/journeys/bench': {
    id: 'bench',
    name: definition.name,
    status: 'draft',
    draft: definition,
    versions: [],
  },
  '/api/v1/segments': [],
  '/api/v1/schema/events': [],
  '/api/v1/schema/metrics': [],
};

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};
const server = createServer((req, res) => {
  const path = req.url === '/' ? '/index.html' : req.url.split('?')[0];
  try {
    const body = readFileSync(join(dist, path));
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}`;

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

async function runOnce() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'cairn-bench-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1440, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.route('**/api/v1/**', (route) => {
      const path = new URL(route.request().url()).pathname;
      const answer = apiAnswers[path];
      return answer === undefined
        ? route.fulfill({ status: 404, json: { title: 'Not Found', status: 404 } })
        : route.fulfill({ json: answer });
    });
    await page.addInitScript(() => sessionStorage.setItem('cairn.token', 'bench'));
    await page.goto(`${url}/#/journeys/bench`);
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll('.react-flow__node').length === n &&
        !!document.querySelector('[data-testid="node-trigger"]'),
      definition.nodes.length,
      { timeout: 120_000, polling: 'raf' },
    );
    const firstRenderMs = await page.evaluate(() => performance.now());
    // React Flow mounts nodes hidden and shows them once measured; edges follow once handles are known.
    // "Drawn" is when every node is visible and every edge has a path: what the marketer actually sees.
    await page.waitForFunction(
      ({ n, e }) =>
        document.querySelectorAll('.react-flow__node').length === n &&
        !document.querySelector('.react-flow__node[style*="visibility: hidden"]') &&
        document.querySelectorAll('.react-flow__edge path.react-flow__edge-path').length === e,
      { n: definition.nodes.length, e: definition.edges.length },
      { timeout: 120_000, polling: 'raf' },
    );
    const drawnMs = await page.evaluate(() => performance.now());

    // Pan: drag the empty pane while recording every animation frame.
    const pane = await page.locator('.react-flow__pane').boundingBox();
    await page.evaluate(() => {
      window.__frames = [];
      let last = performance.now();
      const tick = (t) => {
        window.__frames.push(t - last);
        last = t;
        if (window.__recording) requestAnimationFrame(tick);
      };
      window.__recording = true;
      requestAnimationFrame(tick);
    });
    const startX = pane.x + pane.width / 2;
    const startY = pane.y + 40;
    await page.mouse.move(startX, startY);
    await page.mouse.down();
    for (let step = 1; step <= 60; step++)
      await page.mouse.move(startX - step * 8, startY + step * 6);
    await page.mouse.up();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(undefined))));
    const frames = await page.evaluate(() => {
      window.__recording = false;
      return window.__frames.slice(1);
    });
    return {
      firstRenderMs,
      drawnMs,
      frameMedian: percentile(frames, 50),
      frameP95: percentile(frames, 95),
      frames: frames.length,
    };
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

const results = [];
for (let run = 0; run < RUNS; run++) {
  const r = await runOnce();
  results.push(r);
  console.log(
    `run ${run + 1}: first render ${r.firstRenderMs.toFixed(0)} ms, drawn ${r.drawnMs.toFixed(0)} ms, pan frame median ${r.frameMedian.toFixed(1)} ms, p95 ${r.frameP95.toFixed(1)} ms (${r.frames} frames)`,
  );
}
server.close();

const median = (key) =>
  percentile(
    results.map((r) => r[key]),
    50,
  );
const summary = {
  nodes: definition.nodes.length,
  edges: definition.edges.length,
  firstRender: median('firstRenderMs'),
  drawn: median('drawnMs'),
  frameMedian: median('frameMedian'),
  frameP95: median('frameP95'),
};
console.log(JSON.stringify(summary));

// `--dry-run` measures without touching RESULTS.md (e.g. comparing builds with DESIGNER_DIST=).
if (!process.argv.includes('--dry-run')) {
  const chromiumVersion = (() => {
    try {
      return require('node:child_process')
        .execFileSync(chromiumPath, ['--version'])
        .toString()
        .trim();
    } catch {
      return 'chromium (version unknown)';
    }
  })();
  const section = `
## Designer canvas (${new Date().toISOString().slice(0, 10)})

\`node bench/designer.mjs --nodes ${NODE_COUNT} --runs ${RUNS}\`: ${summary.nodes} nodes / ${summary.edges} edges (delays, emails, yes/no branches,
exits, saved positions), headless ${chromiumVersion} (software rendering, \`--disable-gpu\`), 1440×900, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'} shared with other work.
API answered at the network layer, so only browser time is measured. Medians of ${RUNS} runs.

| measure | result |
|---|---|
| navigation → all ${summary.nodes} nodes on the canvas | ${summary.firstRender.toFixed(0)} ms |
| navigation → canvas drawn (every node visible, every edge drawn) | ${summary.drawn.toFixed(0)} ms |
| pan by mouse drag, frame time median | ${summary.frameMedian.toFixed(1)} ms |
| pan by mouse drag, frame time p95 | ${summary.frameP95.toFixed(1)} ms |
`;
  writeSection('designer', section);
  console.log('wrote the designer section of bench/RESULTS.md');
}
