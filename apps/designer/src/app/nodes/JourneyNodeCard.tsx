import { Handle, Position } from '@xyflow/react';
import type { NodeProps, NodeTypes } from '@xyflow/react';
import { memo, useContext, useState } from 'react';
import { JOURNEY_KINDS } from '../../graph/definition.js';
import type { CanvasFlowNode } from '../../graph/flow-cache.js';
import type { ActionManifest } from '../../api/client.js';
import { useNamesFor } from '../../api/queries.js';
import { KIND_TITLES } from '../../graph/summary.js';
import { rate } from '../charts/series.js';
import { catalogFromManifests, type DesignerCatalog } from '../catalog.js';
import { describeProblem } from '../forms/problem-words.js';
import { cardSummary, referencedKinds } from './card-summary.js';
import { AddMenu } from './AddMenu.js';
import { EditorViewContext } from './context.js';
import { actionIcon, kindIcon } from './icons.js';

// One catalog per manifest list, shared by every card, for wording a step's problems in its badge.
const catalogs = new WeakMap<ActionManifest[], DesignerCatalog>();
function catalogOf(actions: ActionManifest[] | undefined): DesignerCatalog {
  if (!actions) return () => undefined;
  let catalog = catalogs.get(actions);
  if (!catalog) catalogs.set(actions, (catalog = catalogFromManifests(actions)));
  return catalog;
}

/** The card every kind shares: title, one-line summary, badges, and one labelled handle per output. */
function JourneyNodeCard({ id, data, selected }: NodeProps<CanvasFlowNode>) {
  const view = useContext(EditorViewContext);
  const [menuFor, setMenuFor] = useState<string | null>(null);
  const node = data.node;
  const actionTitle =
    node.kind === 'action' ? view?.actionTitle(node.action.type, node.action.version) : undefined;
  const title = node.kind === 'action' ? (actionTitle ?? node.action.type) : KIND_TITLES[node.kind];
  const icon =
    node.kind === 'action'
      ? actionIcon(view?.actions.find((a) => a.type === node.action.type)?.icon)
      : kindIcon(node.kind);
  const names = useNamesFor(referencedKinds(node));
  const summary = cardSummary(node, actionTitle, names);
  const { issues, stats, onPath } = data;

  return (
    <div
      className={`journey-node kind-${node.kind}${selected ? ' selected' : ''}${issues.length ? ' invalid' : ''}${onPath ? ' on-path' : ''}`}
      data-testid={`node-${id}`}
      data-on-path={onPath ? 'true' : undefined}
    >
      {node.kind !== 'trigger' && (
        <Handle type="target" position={Position.Top} id="in" className="handle-in" />
      )}
      <div className="node-head">
        <span className="node-icon">{icon}</span>
        <span className="node-title">{title}</span>
        {issues.length > 0 && (
          <span
            className="badge badge-error"
            title={issues
              .map((i) => describeProblem(i, { nodes: [node] }, catalogOf(view?.actions)).text)
              .join('\n')}
            data-testid={`node-issues-${id}`}
          >
            {issues.length}
          </span>
        )}
      </div>
      <div className="node-summary" title={summary}>
        {node.kind !== 'action' && node.label ? `${node.label} · ${summary}` : summary}
      </div>
      {stats && (
        <div className="node-stats" data-testid={`node-stats-${id}`}>
          <span title="entered">{stats.entered} entered</span>
          {stats.waiting > 0 && <span title="waiting here now">{stats.waiting} waiting</span>}
          {(stats.capped ?? 0) > 0 && (
            <span title="sends skipped by the frequency cap (across all journeys)">
              {stats.capped} capped
            </span>
          )}
          {(stats.throttled ?? 0) > 0 && (
            <span
              title="sends that waited for the channel's send limit (Settings → Send limits); none is dropped"
              data-testid={`node-throttled-${id}`}
            >
              {stats.throttled} throttled
            </span>
          )}
        </div>
      )}
      {stats?.sent !== undefined && (
        <div className="node-rates" data-testid={`node-rates-${id}`}>
          <span title="messages sent">{stats.sent} sent</span>
          <span title="opened / sent">{rate(stats.opened, stats.sent)} open</span>
          <span title="clicked / sent">{rate(stats.clicked, stats.sent)} click</span>
        </div>
      )}
      {data.outputs.length > 0 && (
        <div className="node-outputs">
          {data.outputs.map((output) => (
            <div className="node-output" key={output.name}>
              <span
                className="output-label"
                title={output.hint ? `${output.label}: ${output.hint}` : output.label}
              >
                {output.label}
                {stats?.outputs[output.name] !== undefined
                  ? ` · ${stats.outputs[output.name]}`
                  : ''}
              </span>
              <button
                className="add-after nodrag"
                title={`Add a step after ${output.label}`}
                data-testid={`add-after-${id}-${output.name}`}
                onClick={(e) => {
                  e.stopPropagation();
                  setMenuFor(menuFor === output.name ? null : output.name);
                }}
              >
                +
              </button>
              <Handle
                type="source"
                position={Position.Bottom}
                id={output.name}
                className="handle-out"
                data-testid={`handle-${id}-${output.name}`}
                aria-label={`${output.label} output`}
                title={output.hint ? `${output.label}: ${output.hint}` : output.label}
              />
              {menuFor === output.name && view && (
                <AddMenu
                  nodeId={id}
                  view={view}
                  onPick={(choice) => {
                    setMenuFor(null);
                    view.addAfter(id, output.name, choice);
                  }}
                  onConnect={(targetId) => {
                    setMenuFor(null);
                    view.connectTo(id, output.name, targetId);
                  }}
                  onClose={() => setMenuFor(null)}
                  testId={`add-menu-${id}-${output.name}`}
                />
              )}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

/**
 * A card draws only its id, data and selection. React Flow also hands it its position and measured size,
 * which change on every drag frame and after the first measurement; ignoring those keeps a 500-step canvas
 * from re-rendering every card when one moves. The editor reuses `data` objects for unchanged steps.
 */
const MemoJourneyNodeCard = memo(
  JourneyNodeCard,
  (before: NodeProps<CanvasFlowNode>, after: NodeProps<CanvasFlowNode>) =>
    before.id === after.id && before.data === after.data && before.selected === after.selected,
);

// One entry per kind, so React Flow can style and later specialise each kind on its own. Built once at
// module load: a new nodeTypes object would make React Flow remount every node.
export const journeyNodeTypes: NodeTypes = Object.fromEntries(
  JOURNEY_KINDS.map((kind) => [kind, MemoJourneyNodeCard]),
);
