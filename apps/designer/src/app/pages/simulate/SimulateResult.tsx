import type { SimulationView } from '../../../graph/simulate.js';
import type { MessagePreview } from '../../../graph/message-preview.js';
import { MessagePreviewView } from './MessagePreviewView.js';
import type { DesignerCatalog } from '../../catalog.js';
import { dayAndTime, timelineWords } from './sim-words.js';

/** Where the contact ends up, the messages they would get (rendered), and the step-by-step timeline. */
export function SimulateResult({
  result,
  previews,
  days,
  timeZone,
  catalog,
  outputLabelOf,
  labelOf,
  onSelectNode,
}: {
  result: SimulationView;
  previews: Record<string, MessagePreview>;
  days: number;
  /** The previewed contact's time zone: "Day 3, 09:00" there. */
  timeZone: string;
  catalog: DesignerCatalog;
  outputLabelOf: (nodeId: string, output: string) => string;
  labelOf: (id: string) => string;
  onSelectNode: (id: string) => void;
}) {
  const state = result.state;
  const when = (at: string) => dayAndTime(result.startAt, at, timeZone);
  const actionTitle = (type: string, version: number) =>
    catalog(type, version)?.manifest.title ?? type;
  return (
    <>
      <div className="sim-outcome" data-testid="simulate-outcome">
        {state.status === 'completed' || state.completion
          ? state.completion?.reason === 'exit'
            ? `Leaves the journey at “${labelOf(state.nodeId)}” on ${when(state.completion.at)}.`
            : `Leaves at “${labelOf(state.nodeId)}” (${state.completion?.reason ?? 'completed'}) on ${when(state.completion?.at ?? state.nodeEnteredAt)}.`
          : `Still at “${labelOf(state.nodeId)}” when the preview stops after ${days} days.`}
      </div>
      <h3 className="panel-subhead">Messages it would get ({result.messages.length})</h3>
      <ul className="plain sim-messages" data-testid="simulate-messages">
        {result.messages.length === 0 && <li className="muted">None.</li>}
        {result.messages.map((m, i) => (
          <li key={m.stepKey} data-testid={`simulate-message-${i}`}>
            <span className="muted small" title={m.at}>
              {when(m.at)}
            </span>{' '}
            <strong>{actionTitle(m.action.type, m.action.version)}</strong> · {labelOf(m.nodeId)}
            {previews[m.stepKey] ? (
              <MessagePreviewView preview={previews[m.stepKey]!} testId={`simulate-message-${i}`} />
            ) : (
              typeof m.config['subject'] === 'string' && (
                <div className="small">“{m.config['subject']}”</div>
              )
            )}
          </li>
        ))}
      </ul>
      <h3 className="panel-subhead">Timeline</h3>
      <p className="muted small" data-testid="simulate-time-zone">
        Times in {timeZone === 'UTC' ? 'UTC' : `${timeZone}, the contact's time zone`}.
      </p>
      <ol className="sim-timeline" data-testid="simulate-timeline">
        {result.timeline.map((t, i) => (
          <li key={i} className={`sim-${t.kind}`} data-node={t.nodeId}>
            <span className="muted small" title={t.at}>
              {when(t.at)}
            </span>{' '}
            <button className="link" onClick={() => onSelectNode(t.nodeId)}>
              {labelOf(t.nodeId)}
            </button>{' '}
            {timelineWords(t.what, {
              when,
              actionTitle,
              outputLabel: (output) => outputLabelOf(t.nodeId, output),
            })}
          </li>
        ))}
      </ol>
    </>
  );
}
