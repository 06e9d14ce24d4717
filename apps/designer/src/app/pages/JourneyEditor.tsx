import {
  Background,
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
} from '@xyflow/react';
import type { EdgeChange, FitViewOptions, Node, NodeChange } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { ActionManifest, JourneyDetail, JourneyStats } from '../../api/client.js';
import type { JourneyDefinition, JourneyNode, JourneyProblem, JourneySettings } from '@cairn/core';
import { JOURNEY_KINDS } from '../../graph/definition.js';
import type { JourneyGraph } from '../../graph/convert.js';
import { createCanvasCache } from '../../graph/flow-cache.js';
import {
  addNodeAfter,
  connect,
  copySelection,
  createNode,
  deleteEdges,
  deleteNodes,
  freshId,
  paste,
  pruneDanglingEdges,
  updateNode,
} from '../../graph/edit.js';
import type { Clipboard } from '../../graph/edit.js';
import { autoLayout } from '../../graph/layout.js';
import { canvasReducer, initialCanvas } from '../../graph/store.js';
import { KIND_TITLES } from '../../graph/summary.js';
import { journeyProblems, problemsByNode } from '../../graph/issues.js';
import type { SimulationView } from '../../graph/simulate.js';
import { diffJourneys, isEmptyDiff } from '../../graph/diff.js';
import type { JourneyDiff } from '../../graph/diff.js';
import { SimulatePanel } from './SimulatePanel.js';
import { JourneyFunnel } from './JourneyFunnel.js';
import { HoldoutLift } from '../charts/HoldoutLift.js';
import { LineChart } from '../charts/lazy.js';
import { catalogFromManifests, latestManifests } from '../catalog.js';
import { ErrorBox } from '../ErrorBox.js';
import type { ConditionPickers } from '../forms/conditions/model.js';
import { Inspector } from '../forms/Inspector.js';
import { SettingsForm } from '../forms/SettingsForm.js';
import { EditorViewContext } from '../nodes/context.js';
import type { EditorView, StepChoice } from '../nodes/context.js';
import { actionIcon, journeyNodeTypes, kindIcon } from '../nodes/JourneyNodeCard.js';
import { needsRole } from '../roles.js';
import { useApi, useCan, useLoad } from '../session.js';
import { describeError } from '../../api/client.js';

const STATS_POLL_MS = 5000;
const DRAG_MIME = 'application/cairn-step';
const MIN_ZOOM = 0.02;

// The minimap sits bottom-right and the zoom controls bottom-left, over the canvas. Fitting the journey
// into the area above them keeps them from covering its last steps on a laptop-sized canvas.
const MINIMAP_SIZE = { width: 168, height: 112 };
const FIT_VIEW: FitViewOptions = {
  padding: { top: '32px', left: '64px', right: '32px', bottom: `${MINIMAP_SIZE.height + 32}px` },
  maxZoom: 1,
};

// Minimap colours match the coloured top edge of each kind's card.
const KIND_COLOURS: Record<string, string> = {
  trigger: '#4f46e5',
  delay: '#f59e0b',
  waitUntil: '#f59e0b',
  waitFor: '#f59e0b',
  branch: '#0ea5e9',
  multiSplit: '#0ea5e9',
  randomSplit: '#0ea5e9',
  action: '#10b981',
  goal: '#a855f7',
  exit: '#71717a',
};
const minimapColour = (node: Node) => KIND_COLOURS[node.type ?? ''] ?? '#a1a1aa';

/** Below this zoom card text is a few pixels tall: the canvas stops painting it (see `.canvas.far` in styles.css). */
const FAR_ZOOM = 0.35;

export function JourneyEditor({ journeyId }: { journeyId: string }) {
  const api = useApi();
  const detail = useLoad(() => api.getJourney(journeyId), [api, journeyId]);
  const manifests = useLoad(() => api.actionCatalog(), [api]);
  // Pickers are a convenience: the editor still works with free text if these fail.
  const events = useLoad(() => api.eventSchema().catch(() => []), [api]);
  const metrics = useLoad(() => api.metricSchema().catch(() => []), [api]);
  // undefined when the list could not be loaded: then segment references are not checked rather than all flagged.
  const segments = useLoad(() => api.listSegments().catch(() => undefined), [api]);
  const segmentIds = useMemo(
    () => (segments.data ? new Set(segments.data.map((s) => s.id)) : undefined),
    [segments.data],
  );

  if (detail.error || manifests.error)
    return (
      <div className="page">
        <ErrorBox error={detail.error ?? manifests.error} />
      </div>
    );
  if (!detail.data || !manifests.data) return <div className="page muted">Loading journey…</div>;
  const pickers: ConditionPickers = {
    events: (events.data ?? []).map((e) => e.event),
    metrics: (metrics.data ?? []).map((m) => (typeof m === 'string' ? m : m.name)),
    segments: segments.data ?? [],
  };
  return (
    <ReactFlowProvider>
      <EditorCanvas
        detail={detail.data}
        manifests={manifests.data}
        pickers={pickers}
        segmentIds={segmentIds}
      />
    </ReactFlowProvider>
  );
}

function startingGraph(draft: JourneyDefinition): JourneyGraph {
  const graph = { nodes: draft.nodes, edges: draft.edges };
  // A definition written as code may carry no positions: lay it out once on open.
  return graph.nodes.some((n) => !n.position)
    ? { ...graph, nodes: autoLayout(graph.nodes, graph.edges) }
    : graph;
}

/** True when the two journeys differ at most in where their steps sit on the canvas. */
function sameButPositions(a: JourneyDefinition, b: JourneyDefinition): boolean {
  if (a === b) return true;
  if (a.settings !== b.settings || a.edges !== b.edges || a.nodes.length !== b.nodes.length)
    return false;
  return a.nodes.every((node, i) => {
    const other = b.nodes[i]!;
    if (node === other) return true;
    const { position: _a, ...restA } = node;
    const { position: _b, ...restB } = other;
    const keys = Object.keys(restA);
    return (
      keys.length === Object.keys(restB).length &&
      keys.every(
        (k) => (restA as Record<string, unknown>)[k] === (restB as Record<string, unknown>)[k],
      )
    );
  });
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    !!el &&
    (el.tagName === 'INPUT' ||
      el.tagName === 'TEXTAREA' ||
      el.tagName === 'SELECT' ||
      el.isContentEditable)
  );
}

/** For a segment-entry journey: who is in the segment now, and so would enter if the marketer says so. */
type ExistingMembers = { segmentName: string; count: number };
type PublishReview = {
  previousVersion: number | undefined;
  diff?: JourneyDiff;
  error?: unknown;
  existingMembers?: ExistingMembers;
};
type PublishResult =
  { ok: true; version: number; existingQueued?: number } | { ok: false; error: unknown };

function EditorCanvas({
  detail,
  manifests,
  pickers,
  segmentIds,
}: {
  detail: JourneyDetail;
  manifests: ActionManifest[];
  pickers: ConditionPickers;
  segmentIds: ReadonlySet<string> | undefined;
}) {
  const api = useApi();
  const flow = useReactFlow();
  const [canvas, dispatch] = useReducer(canvasReducer, detail.draft, (d) =>
    initialCanvas(startingGraph(d)),
  );
  const [settings, setSettings] = useState<JourneySettings>(detail.draft.settings);
  const [status, setStatus] = useState(detail.status);
  const [publishedVersion, setPublishedVersion] = useState(detail.publishedVersion);
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const canEdit = useCan('editDrafts');
  const canGoLive = useCan('goLive');
  const [notice, setNotice] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [publishResult, setPublishResult] = useState<PublishResult | null>(null);
  const [stats, setStats] = useState<JourneyStats | null>(null);
  const [simulating, setSimulating] = useState(false);
  const [review, setReview] = useState<PublishReview | null>(null);
  const [showProblems, setShowProblems] = useState(false);
  const [simulation, setSimulation] = useState<SimulationView | null>(null);
  const [showMinimap, setShowMinimap] = useState(true);
  const [showFunnel, setShowFunnel] = useState(false);
  // Changes only when the zoom crosses FAR_ZOOM, so zooming and panning do not re-render the editor.
  const [far, setFar] = useState(false);
  const clipboard = useRef<Clipboard | null>(null);
  const wrapper = useRef<HTMLDivElement>(null);

  const catalog = useMemo(() => catalogFromManifests(manifests), [manifests]);
  const paletteActions = useMemo(() => latestManifests(manifests), [manifests]);
  const definition: JourneyDefinition = useMemo(
    () => ({ ...detail.draft, settings, nodes: canvas.graph.nodes, edges: canvas.graph.edges }),
    [detail.draft, settings, canvas.graph],
  );
  const [savedJson, setSavedJson] = useState(() => JSON.stringify(definition));
  // Serialising a large journey costs milliseconds: once per change, not on every render.
  const dirty = useMemo(() => JSON.stringify(definition) !== savedJson, [definition, savedJson]);

  // The same validator the API runs on publish: a badge here means a 422 there. Moving steps cannot
  // change its verdict, so a drag (one 'move' per frame) reuses the last answer instead of re-validating.
  const validated = useRef<{
    definition: JourneyDefinition;
    catalog: unknown;
    segmentIds: unknown;
    issues: JourneyProblem[];
  } | null>(null);
  const issues: JourneyProblem[] = useMemo(() => {
    const last = validated.current;
    if (
      last &&
      last.catalog === catalog &&
      last.segmentIds === segmentIds &&
      sameButPositions(last.definition, definition)
    )
      return last.issues;
    const next = journeyProblems(definition, catalog, segmentIds);
    validated.current = { definition, catalog, segmentIds, issues: next };
    return next;
  }, [definition, catalog, segmentIds]);
  const issuesByNode = useMemo(() => problemsByNode(issues), [issues]);

  // Live stats only mean something once a version runs.
  useEffect(() => {
    if (status !== 'published' && status !== 'paused') return;
    let alive = true;
    const poll = () =>
      api.journeyStats(detail.id).then(
        (s) => alive && setStats(s),
        () => undefined,
      );
    void poll();
    const timer = setInterval(poll, STATS_POLL_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [api, detail.id, status]);

  const selectedIds = useMemo(() => new Set(canvas.selection), [canvas.selection]);
  const pathNodes = useMemo(
    () => (simulation ? new Set(simulation.path) : undefined),
    [simulation],
  );
  const pathEdges = useMemo(() => new Set(simulation?.pathEdges ?? []), [simulation]);
  // Unchanged steps keep their node objects, so React Flow and the memoized cards skip them.
  const [buildCanvas] = useState(createCanvasCache);
  const { nodes, edges } = useMemo(
    () =>
      buildCanvas({
        graph: canvas.graph,
        catalog,
        selected: selectedIds,
        measured,
        issuesByNode,
        ...(stats ? { stats: stats.nodes } : {}),
        ...(pathNodes ? { pathNodes } : {}),
        pathEdges,
      }),
    [
      buildCanvas,
      canvas.graph,
      catalog,
      selectedIds,
      measured,
      issuesByNode,
      stats,
      pathNodes,
      pathEdges,
    ],
  );

  const addStep = useCallback(
    (
      choice: StepChoice,
      at?: { x: number; y: number },
      after?: { nodeId: string; output: string },
    ) => {
      dispatch({
        type: 'edit',
        change: (g) => {
          const taken = new Set([...g.nodes.map((n) => n.id), ...g.edges.map((e) => e.id)]);
          const id = freshId(choice.action?.type ?? choice.kind, taken);
          const node = createNode(choice.kind, id, {
            ...(choice.action ? { action: choice.action } : {}),
            ...(at ? { position: at } : {}),
          });
          return after
            ? addNodeAfter(g, after.nodeId, after.output, node, catalog)
            : { ...g, nodes: [...g.nodes, node] };
        },
      });
    },
    [catalog],
  );

  const view: EditorView = useMemo(
    () => ({
      actionTitle: (type, version) => catalog(type, version)?.manifest.title,
      actions: paletteActions,
      addAfter: (nodeId, output, choice) => addStep(choice, undefined, { nodeId, output }),
    }),
    [catalog, paletteActions, addStep],
  );

  const onNodesChange = useCallback((changes: NodeChange[]) => {
    const positions: Record<string, { x: number; y: number }> = {};
    const selections: { id: string; selected: boolean }[] = [];
    const sizes: Record<string, { width: number; height: number }> = {};
    for (const c of changes) {
      if (c.type === 'position' && c.position)
        positions[c.id] = { x: Math.round(c.position.x), y: Math.round(c.position.y) };
      if (c.type === 'select') selections.push({ id: c.id, selected: c.selected });
      if (c.type === 'dimensions' && c.dimensions) sizes[c.id] = c.dimensions;
    }
    if (Object.keys(positions).length) dispatch({ type: 'move', positions });
    if (selections.length) dispatch({ type: 'selectChanges', changes: selections });
    if (Object.keys(sizes).length) setMeasured((m) => ({ ...m, ...sizes }));
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    const selections = changes.flatMap((c) =>
      c.type === 'select' ? [{ id: c.id, selected: c.selected }] : [],
    );
    if (selections.length) dispatch({ type: 'selectChanges', changes: selections });
  }, []);

  const deleteSelection = useCallback(() => {
    dispatch({
      type: 'edit',
      change: (g) => deleteEdges(deleteNodes(g, canvas.selection), canvas.selection),
    });
  }, [canvas.selection]);

  // Keyboard: undo/redo, copy/paste, delete — but never while typing in a form field.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target)) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 'z') {
        e.preventDefault();
        dispatch({ type: e.shiftKey ? 'redo' : 'undo' });
      } else if (mod && key === 'y') {
        e.preventDefault();
        dispatch({ type: 'redo' });
      } else if (mod && key === 'c') {
        clipboard.current = copySelection(canvas.graph, canvas.selection);
      } else if (mod && key === 'v' && clipboard.current?.nodes.length) {
        e.preventDefault();
        const clip = clipboard.current;
        dispatch({
          type: 'edit',
          change: (g) => paste(g, clip).graph,
        });
        // Select what was pasted: ids are deterministic for a given graph, so recompute them.
        dispatch({ type: 'select', ids: paste(canvas.graph, clip).pastedIds });
      } else if (e.key === 'Delete' || e.key === 'Backspace') {
        if (canvas.selection.length) {
          e.preventDefault();
          deleteSelection();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [canvas.graph, canvas.selection, deleteSelection]);

  async function save(): Promise<boolean> {
    setBusy('save');
    setSaveError(null);
    try {
      await api.saveDraft(detail.id, definition);
      setSavedJson(JSON.stringify(definition));
      setNotice('Draft saved');
      return true;
    } catch (e) {
      setSaveError(e);
      return false;
    } finally {
      setBusy(null);
    }
  }

  /** Before publishing, show what changes against the live version (a first version has nothing to compare). */
  async function reviewPublish() {
    setPublishResult(null);
    const existingMembers = await currentMembers();
    if (publishedVersion === undefined)
      return setReview({
        previousVersion: undefined,
        ...(existingMembers ? { existingMembers } : {}),
      });
    setBusy('review');
    try {
      const published = await api.getVersion(detail.id, publishedVersion);
      const previous =
        'definition' in published
          ? published.definition
          : (published as unknown as JourneyDefinition);
      setReview({
        previousVersion: publishedVersion,
        diff: diffJourneys(previous, definition),
        ...(existingMembers ? { existingMembers } : {}),
      });
    } catch (error) {
      // The diff is a courtesy: publishing stays possible when the old version cannot be read.
      setReview({
        previousVersion: publishedVersion,
        error,
        ...(existingMembers ? { existingMembers } : {}),
      });
    } finally {
      setBusy(null);
    }
  }

  /** How many contacts are in the trigger's segment now (counted by the API on the saved draft); undefined for other triggers. */
  async function currentMembers(): Promise<ExistingMembers | undefined> {
    const trigger = definition.nodes.find((n) => n.kind === 'trigger');
    if (trigger?.kind !== 'trigger' || trigger.trigger.type !== 'segmentEntered') return undefined;
    if (dirty && !(await save())) return undefined;
    try {
      const { enrollExisting } = await api.publishPreview(detail.id);
      return enrollExisting.applies
        ? { segmentName: enrollExisting.segmentName, count: enrollExisting.members }
        : undefined;
    } catch {
      return undefined;
    }
  }

  async function publish(enrollExisting: boolean) {
    setReview(null);
    setPublishResult(null);
    if (dirty && !(await save())) return;
    setBusy('publish');
    try {
      const { version, existingMembers } = await api.publish(
        detail.id,
        enrollExisting ? { enrollExisting } : {},
      );
      setPublishResult({
        ok: true,
        version,
        ...(existingMembers ? { existingQueued: existingMembers.queued } : {}),
      });
      setPublishedVersion(version);
      setStatus('published');
    } catch (error) {
      setPublishResult({ ok: false, error });
    } finally {
      setBusy(null);
    }
  }

  async function setRunning(run: boolean) {
    setBusy(run ? 'resume' : 'pause');
    try {
      await (run ? api.resume(detail.id) : api.pause(detail.id));
      setStatus(run ? 'published' : 'paused');
    } catch (e) {
      setSaveError(e);
    } finally {
      setBusy(null);
    }
  }

  function relayout() {
    dispatch({ type: 'edit', change: (g) => ({ ...g, nodes: autoLayout(g.nodes, g.edges) }) });
    setTimeout(() => void flow.fitView({ ...FIT_VIEW, duration: 200 }), 50);
  }

  function centerOfCanvas() {
    const rect = wrapper.current?.getBoundingClientRect();
    if (!rect) return { x: 0, y: 0 };
    const p = flow.screenToFlowPosition({
      x: rect.left + rect.width / 2,
      y: rect.top + rect.height / 3,
    });
    return { x: Math.round(p.x - 120), y: Math.round(p.y) };
  }

  /** Clicking a palette item attaches the step under the selected node's first free output, else drops it mid-canvas. */
  function addFromPalette(choice: StepChoice) {
    const selected = canvas.graph.nodes.find(
      (n) => canvas.selection.length === 1 && n.id === canvas.selection[0],
    );
    if (selected) {
      const used = new Set(
        canvas.graph.edges.filter((e) => e.source === selected.id).map((e) => e.sourceHandle),
      );
      const free = nodes
        .find((n) => n.id === selected.id)
        ?.data.outputs.find((o) => !used.has(o.name));
      if (free) return addStep(choice, undefined, { nodeId: selected.id, output: free.name });
    }
    addStep(choice, centerOfCanvas());
  }

  const selectedNode =
    canvas.selection.length === 1
      ? canvas.graph.nodes.find((n) => n.id === canvas.selection[0])
      : undefined;
  const onNodeEdit = (node: JourneyNode, field: string) =>
    dispatch({
      type: 'edit',
      key: `${node.id}:${field}`,
      change: (g) => pruneDanglingEdges(updateNode(g, node), catalog),
    });

  return (
    <EditorViewContext.Provider value={view}>
      <div className="editor">
        <header className="editor-toolbar">
          <a href="#/journeys" className="back">
            ← Journeys
          </a>
          <h1>{detail.name}</h1>
          <span className={`status status-${status}`} data-testid="journey-status">
            {status}
            {publishedVersion !== undefined && (
              <span className="status-version"> · v{publishedVersion}</span>
            )}
          </span>
          {dirty && (
            <span className="muted small" data-testid="unsaved">
              Unsaved changes
            </span>
          )}
          {!dirty && notice && <span className="muted small">{notice}</span>}
          <span className="spacer" />
          <button
            onClick={() => dispatch({ type: 'undo' })}
            disabled={!canvas.past.length}
            title="Undo (Ctrl+Z)"
            data-testid="undo"
          >
            ↶
          </button>
          <button
            onClick={() => dispatch({ type: 'redo' })}
            disabled={!canvas.future.length}
            title="Redo (Ctrl+Shift+Z)"
            data-testid="redo"
          >
            ↷
          </button>
          <button onClick={relayout} data-testid="auto-layout">
            Auto-layout
          </button>
          <button
            className={simulating ? 'active' : ''}
            onClick={() => {
              if (simulating) setSimulation(null);
              setSimulating(!simulating);
            }}
            data-testid="simulate"
            title="Preview one contact's path on a virtual clock"
          >
            Simulate
          </button>
          {status === 'published' && (
            <button
              onClick={() => setRunning(false)}
              disabled={!!busy || !canGoLive}
              title={canGoLive ? undefined : needsRole('goLive')}
              data-testid="pause"
            >
              Pause
            </button>
          )}
          {status === 'paused' && (
            <button
              onClick={() => setRunning(true)}
              disabled={!!busy || !canGoLive}
              title={canGoLive ? undefined : needsRole('goLive')}
              data-testid="resume"
            >
              Resume
            </button>
          )}
          <button
            onClick={() => void save()}
            disabled={!!busy || !canEdit}
            title={canEdit ? undefined : needsRole('editDrafts')}
            data-testid="save-draft"
          >
            {busy === 'save' ? 'Saving…' : 'Save draft'}
          </button>
          {issues.length > 0 && (
            <button
              className="problems-chip"
              onClick={() => setShowProblems(!showProblems)}
              data-testid="journey-problems"
            >
              {issues.length} {issues.length === 1 ? 'problem' : 'problems'}
            </button>
          )}
          <button
            className="primary"
            onClick={() => void reviewPublish()}
            disabled={!!busy || issues.length > 0 || !canGoLive}
            title={
              !canGoLive
                ? needsRole('goLive')
                : issues.length > 0
                  ? 'Fix the problems marked on the canvas first'
                  : 'Review the changes and publish'
            }
            data-testid="publish"
          >
            {busy === 'publish' ? 'Publishing…' : 'Publish'}
          </button>
        </header>
        {(saveError || publishResult || review || (showProblems && issues.length > 0)) && (
          <div className="editor-messages">
            {showProblems && issues.length > 0 && (
              <div className="error-box" data-testid="problems-list">
                <strong>Fix these before publishing</strong>
                <button className="icon" onClick={() => setShowProblems(false)}>
                  ×
                </button>
                <ul>
                  {issues.map((p, i) => (
                    <li key={i}>
                      {p.nodeId ? (
                        <button
                          className="link"
                          onClick={() => dispatch({ type: 'select', ids: [p.nodeId!] })}
                        >
                          {p.message}
                        </button>
                      ) : (
                        p.message
                      )}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {review && (
              <PublishReviewPanel
                review={review}
                nextVersion={(publishedVersion ?? 0) + 1}
                stepCount={definition.nodes.length}
                onConfirm={(enrollExisting) => void publish(enrollExisting)}
                onCancel={() => setReview(null)}
              />
            )}
            <ErrorBox error={saveError} testId="save-error" />
            {publishResult && (
              <PublishPanel
                result={publishResult}
                nodeIdAt={(index) => canvas.graph.nodes[index]?.id}
                onSelect={(id) => dispatch({ type: 'select', ids: [id] })}
                onClose={() => setPublishResult(null)}
              />
            )}
          </div>
        )}
        {stats && stats.series.length > 0 && (
          <div className="stats-strip">
            <span className="eyebrow">Enrolments and conversions by day</span>
            <LineChart
              testId="journey-series"
              width={360}
              height={64}
              labels={stats.series.map((d) => d.day)}
              series={[
                { name: 'enrolled', color: '#4f46e5', values: stats.series.map((d) => d.enrolled) },
                {
                  name: 'converted',
                  color: '#16a34a',
                  values: stats.series.map((d) => d.converted),
                },
              ]}
            />
            {stats.holdout && stats.holdout.holdout.contacts > 0 && (
              <HoldoutLift comparison={stats.holdout} />
            )}
            <button
              onClick={() => setShowFunnel(!showFunnel)}
              aria-pressed={showFunnel}
              data-testid="show-funnel"
            >
              Funnel and exports
            </button>
          </div>
        )}
        {showFunnel && (
          <JourneyFunnel
            journeyId={detail.id}
            definition={definition}
            onClose={() => setShowFunnel(false)}
          />
        )}
        <div className="editor-body">
          <Palette actions={paletteActions} onAdd={addFromPalette} />
          <div
            className={far ? 'canvas far' : 'canvas'}
            ref={wrapper}
            data-testid="canvas"
            onDragOver={(e) => {
              if (e.dataTransfer.types.includes(DRAG_MIME)) {
                e.preventDefault();
                e.dataTransfer.dropEffect = 'move';
              }
            }}
            onDrop={(e) => {
              const raw = e.dataTransfer.getData(DRAG_MIME);
              if (!raw) return;
              e.preventDefault();
              const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
              addStep(JSON.parse(raw) as StepChoice, {
                x: Math.round(p.x - 120),
                y: Math.round(p.y - 20),
              });
            }}
          >
            <ReactFlow
              nodes={nodes}
              edges={edges}
              nodeTypes={journeyNodeTypes}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onNodeDragStart={() => dispatch({ type: 'checkpoint' })}
              onConnect={(c) =>
                c.sourceHandle &&
                dispatch({
                  type: 'edit',
                  change: (g) =>
                    connect(
                      g,
                      { source: c.source, sourceHandle: c.sourceHandle!, target: c.target },
                      catalog,
                    ),
                })
              }
              onPaneClick={() => dispatch({ type: 'select', ids: [] })}
              onMove={(_, viewport) => setFar(viewport.zoom < FAR_ZOOM)}
              onInit={(instance) => setFar(instance.getZoom() < FAR_ZOOM)}
              deleteKeyCode={null}
              fitView
              fitViewOptions={FIT_VIEW}
              // Low enough that fitView can show a whole large journey (500 steps span some 17,000 px);
              // React Flow clamps fitView to minZoom, so a higher floor would crop it.
              minZoom={MIN_ZOOM}
              proOptions={{ hideAttribution: true }}
            >
              <Background gap={20} size={1} />
              <Controls showInteractive={false} fitViewOptions={FIT_VIEW}>
                <ControlButton
                  onClick={() => setShowMinimap(!showMinimap)}
                  title={showMinimap ? 'Hide the minimap' : 'Show the minimap'}
                  aria-pressed={showMinimap}
                  data-testid="toggle-minimap"
                >
                  ▦
                </ControlButton>
              </Controls>
              {showMinimap && (
                <MiniMap
                  pannable
                  zoomable
                  position="bottom-right"
                  style={MINIMAP_SIZE}
                  nodeColor={minimapColour}
                  nodeBorderRadius={8}
                  maskColor="rgb(244 244 245 / 0.7)"
                  ariaLabel="Minimap of the journey"
                  data-testid="minimap"
                />
              )}
            </ReactFlow>
          </div>
          {simulating ? (
            <SimulatePanel
              journeyId={detail.id}
              definition={definition}
              catalog={catalog}
              onResult={setSimulation}
              onSelectNode={(id) => dispatch({ type: 'select', ids: [id] })}
              onClose={() => setSimulating(false)}
            />
          ) : selectedNode ? (
            <Inspector
              key={selectedNode.id}
              node={selectedNode}
              pickers={pickers}
              issues={issuesByNode.get(selectedNode.id) ?? []}
              onChange={onNodeEdit}
              {...(selectedNode.kind === 'action'
                ? { actionEntry: catalog(selectedNode.action.type, selectedNode.action.version) }
                : {})}
            />
          ) : (
            <SettingsForm settings={settings} onChange={(s) => setSettings(s)} issues={issues} />
          )}
        </div>
        <datalist id="cairn-events">
          {pickers.events.map((e) => (
            <option key={e} value={e} />
          ))}
        </datalist>
      </div>
    </EditorViewContext.Provider>
  );
}

function Palette({
  actions,
  onAdd,
}: {
  actions: ActionManifest[];
  onAdd: (c: StepChoice) => void;
}) {
  const item = (choice: StepChoice, testId: string, label: string, icon: string) => (
    <button
      key={testId}
      className="palette-item"
      data-testid={testId}
      draggable
      onDragStart={(e) => {
        e.dataTransfer.setData(DRAG_MIME, JSON.stringify(choice));
        e.dataTransfer.effectAllowed = 'move';
      }}
      onClick={() => onAdd(choice)}
      title="Drag onto the canvas, or click to add"
    >
      <span className="node-icon">{icon}</span> {label}
    </button>
  );
  return (
    <aside className="palette">
      <div className="palette-heading">Flow</div>
      {JOURNEY_KINDS.filter((k) => k !== 'trigger' && k !== 'action').map((kind) =>
        item({ kind }, `palette-${kind}`, KIND_TITLES[kind], kindIcon(kind)),
      )}
      <div className="palette-heading">Actions</div>
      {actions.map((a) =>
        item(
          { kind: 'action', action: { type: a.type, version: a.version } },
          `palette-action-${a.type}`,
          a.title,
          actionIcon(a.icon),
        ),
      )}
      {actions.length === 0 && <p className="muted small">No actions registered.</p>}
    </aside>
  );
}

function PublishPanel({
  result,
  nodeIdAt,
  onSelect,
  onClose,
}: {
  result: PublishResult;
  nodeIdAt: (index: number) => string | undefined;
  onSelect: (id: string) => void;
  onClose: () => void;
}) {
  if (result.ok)
    return (
      <div className="success-box" data-testid="publish-result">
        Published version {result.version}. New contacts enter this version; contacts already inside
        stay on theirs.
        {result.existingQueued !== undefined &&
          ` ${result.existingQueued.toLocaleString()} contacts already in the segment are being enrolled.`}
        <button className="icon" onClick={onClose}>
          ×
        </button>
      </div>
    );
  const { message, errors } = describeError(result.error);
  return (
    <div className="error-box" data-testid="publish-result" role="alert">
      <strong>Not published: {message}</strong>
      <button className="icon" onClick={onClose}>
        ×
      </button>
      {errors.length > 0 && (
        <ul>
          {errors.map((e, i) => {
            const match = /^nodes\[(\d+)\]/.exec(e.path);
            const nodeId = match ? nodeIdAt(Number(match[1])) : undefined;
            return (
              <li key={i}>
                {nodeId ? (
                  <button className="link" onClick={() => onSelect(nodeId)}>
                    <code>{e.path}</code>
                  </button>
                ) : (
                  <code>{e.path || '(journey)'}</code>
                )}
                : {e.message}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

function PublishReviewPanel({
  review,
  nextVersion,
  stepCount,
  onConfirm,
  onCancel,
}: {
  review: PublishReview;
  nextVersion: number;
  stepCount: number;
  onConfirm: (enrollExisting: boolean) => void;
  onCancel: () => void;
}) {
  const { diff, existingMembers } = review;
  // Off by default: publishing alone never enrols people who were already in the segment.
  const [enrollExisting, setEnrollExisting] = useState(false);
  const section = (title: string, items: string[], testId: string) =>
    items.length > 0 && (
      <div data-testid={testId}>
        <strong>{title}</strong>
        <ul>
          {items.map((item) => (
            <li key={item}>{item}</li>
          ))}
        </ul>
      </div>
    );
  return (
    <div className="review-box" data-testid="publish-review">
      <div className="review-head">
        <strong>
          Publish version {nextVersion}
          {review.previousVersion !== undefined
            ? ` (changes since v${review.previousVersion})`
            : ` — first version, ${stepCount} steps`}
        </strong>
        <span className="spacer" />
        <button onClick={onCancel}>Cancel</button>
        <button
          className="primary"
          onClick={() => onConfirm(enrollExisting && existingMembers !== undefined)}
          data-testid="publish-confirm"
        >
          Publish v{nextVersion}
        </button>
      </div>
      {existingMembers && (
        <label className="review-existing" data-testid="publish-existing-members">
          <input
            type="checkbox"
            checked={enrollExisting}
            onChange={(e) => setEnrollExisting(e.target.checked)}
            data-testid="publish-enroll-existing"
          />{' '}
          Also enrol the {existingMembers.count.toLocaleString()}{' '}
          {existingMembers.count === 1 ? 'contact' : 'contacts'} already in “
          {existingMembers.segmentName}”
          <span className="muted"> (otherwise only contacts who enter it from now on)</span>
        </label>
      )}
      {review.error !== undefined && <ErrorBox error={review.error} />}
      {diff && isEmptyDiff(diff) && (
        <p className="muted">No changes to steps, connections or settings.</p>
      )}
      {diff && (
        <div className="review-columns">
          {section(
            'Added steps',
            diff.added.map((n) => `+ ${n.label}`),
            'diff-added',
          )}
          {section(
            'Removed steps',
            diff.removed.map((n) => `− ${n.label}`),
            'diff-removed',
          )}
          {section(
            'Changed steps',
            diff.changed.map((n) => `~ ${n.label}: ${n.fields.join(', ')}`),
            'diff-changed',
          )}
          {section('New connections', diff.connectionsAdded, 'diff-connections-added')}
          {section('Removed connections', diff.connectionsRemoved, 'diff-connections-removed')}
          {section(
            'Settings',
            diff.settingsChanged.map((f) => `~ ${f}`),
            'diff-settings',
          )}
        </div>
      )}
    </div>
  );
}
