import { useEffect, useState } from 'react';
import type { SegmentPreview } from '../../api/client.js';
import { describeError } from '../../api/client.js';
import type { ConditionGroup } from '@cairn/core';
import { LineChart } from '../charts/lazy.js';
import { saveFile } from '../download.js';
import { ErrorBox } from '../ErrorBox.js';
import { ConditionGroupEditor } from '../forms/ConditionGroupEditor.js';
import { needsRole } from '../roles.js';
import { navigate, useApi, useCan, useLoad } from '../session.js';

const PREVIEW_DEBOUNCE_MS = 400;

export function SegmentBuilder({ segmentId }: { segmentId?: string }) {
  const api = useApi();
  const existing = useLoad(
    () => (segmentId ? api.getSegment(segmentId) : Promise.resolve(undefined)),
    [api, segmentId],
  );
  const events = useLoad(() => api.eventSchema().catch(() => []), [api]);
  const metrics = useLoad(() => api.metricSchema().catch(() => []), [api]);
  const segments = useLoad(() => api.listSegments().catch(() => []), [api]);

  if (existing.error)
    return (
      <div className="page">
        <ErrorBox error={existing.error} />
      </div>
    );
  if (existing.loading && !existing.data) return <div className="page muted">Loading…</div>;
  return (
    <SegmentForm
      segmentId={segmentId}
      initial={
        existing.data ?? { name: '', description: '', definition: { type: 'all', conditions: [] } }
      }
      pickers={{
        events: (events.data ?? []).map((e) => e.event),
        metrics: (metrics.data ?? []).map((m) => (typeof m === 'string' ? m : m.name)),
        segments: (segments.data ?? []).filter((s) => s.id !== segmentId),
      }}
    />
  );
}

function SegmentForm({
  segmentId,
  initial,
  pickers,
}: {
  segmentId: string | undefined;
  initial: { name: string; description?: string; definition: ConditionGroup };
  pickers: { events: string[]; metrics: string[]; segments: { id: string; name: string }[] };
}) {
  const api = useApi();
  const [name, setName] = useState(initial.name);
  const [description, setDescription] = useState(initial.description ?? '');
  const [definition, setDefinition] = useState<ConditionGroup>(initial.definition);
  const [preview, setPreview] = useState<SegmentPreview | null>(null);
  const [previewError, setPreviewError] = useState<unknown>(null);
  const [previewing, setPreviewing] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const canEdit = useCan('editDrafts');

  // Live count: wait for typing to settle, and ignore answers to older definitions.
  useEffect(() => {
    if (definition.conditions.length === 0) {
      setPreview(null);
      setPreviewError(null);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      setPreviewing(true);
      api.previewSegment(definition).then(
        (p) => {
          if (!current) return;
          setPreview(p);
          setPreviewError(null);
          setPreviewing(false);
        },
        (e: unknown) => {
          if (!current) return;
          setPreviewError(e);
          setPreviewing(false);
        },
      );
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, definition]);

  async function save() {
    setSaveError(null);
    try {
      const body = { name: name.trim(), description, definition };
      if (segmentId) await api.updateSegment(segmentId, body);
      else {
        const created = await api.createSegment(body);
        navigate('segments', created.id);
      }
      setSaved(true);
    } catch (e) {
      setSaveError(e);
    }
  }

  return (
    <div className="page segment-builder">
      <header className="page-header">
        <a href="#/segments" className="back">
          ← Segments
        </a>
        <input
          className="title-input"
          placeholder="Segment name"
          value={name}
          data-testid="segment-name"
          onChange={(e) => {
            setName(e.target.value);
            setSaved(false);
          }}
        />
        <span className="spacer" />
        {saved && <span className="muted small">Saved</span>}
        {segmentId && (
          <a
            className="small"
            href={`#/activity/segment/${encodeURIComponent(segmentId)}`}
            data-testid="segment-activity"
          >
            Activity
          </a>
        )}
        <button
          className="primary"
          data-testid="segment-save"
          disabled={!name.trim() || !canEdit}
          title={canEdit ? undefined : needsRole('editDrafts')}
          onClick={() => void save()}
        >
          Save segment
        </button>
      </header>
      <ErrorBox error={saveError} testId="segment-save-error" />
      <div className="two-columns">
        <section className="card">
          <input
            className="description"
            placeholder="What is this segment for?"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
          <ConditionGroupEditor
            group={definition}
            pickers={pickers}
            onChange={(d) => {
              setDefinition(d);
              setSaved(false);
            }}
          />
        </section>
        <section className="card preview">
          <div className="eyebrow">Matching contacts</div>
          <div className="big-number" data-testid="segment-live-count">
            {preview ? preview.count.toLocaleString() : '—'}
          </div>
          <div className="muted small">
            {previewing
              ? 'Counting…'
              : preview
                ? `of ${preview.total.toLocaleString()} contacts (${preview.total ? Math.round((preview.count / preview.total) * 1000) / 10 : 0}%)`
                : 'Add a condition to see who matches.'}
          </div>
          <ErrorBox error={previewError} testId="segment-preview-error" />
          {preview && preview.sample.length > 0 && (
            <ul className="sample" data-testid="segment-sample">
              {preview.sample.map((c) => (
                <li key={c.id}>
                  <a href={`#/contacts/${encodeURIComponent(c.id)}`}>{contactName(c)}</a>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      {segmentId && (
        <div className="two-columns">
          <MembershipHistory segmentId={segmentId} />
          <WhyContact segmentId={segmentId} />
        </div>
      )}
    </div>
  );
}

export function contactName(c: { id: string; traits: Record<string, unknown> }): string {
  const t = c.traits;
  const name = [t['firstName'] ?? t['first_name'], t['lastName'] ?? t['last_name']]
    .filter((x) => typeof x === 'string')
    .join(' ');
  return (
    name ||
    (typeof t['name'] === 'string' ? t['name'] : '') ||
    (typeof t['email'] === 'string' ? t['email'] : '') ||
    c.id
  );
}

type Explanation = { matches: boolean; sentence: string; children?: Explanation[] };

/** The API may wrap the explanation tree; find the node that carries `matches` and `sentence`. */
function explanationOf(raw: unknown): Explanation | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r['matches'] === 'boolean' && typeof r['sentence'] === 'string')
    return r as unknown as Explanation;
  for (const key of ['explanation', 'why', 'result']) {
    const inner = explanationOf(r[key]);
    if (inner) return inner;
  }
  return undefined;
}

function ExplanationTree({ node }: { node: Explanation }) {
  return (
    <li className={node.matches ? 'yes' : 'no'}>
      {node.sentence}
      {node.children && node.children.length > 0 && (
        <ul className="why-tree">
          {node.children.map((child, i) => (
            <ExplanationTree key={i} node={child} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** "Why is this contact in (or out of) the segment?", condition by condition, from the server's evaluator. */
function WhyContact({ segmentId }: { segmentId: string }) {
  const api = useApi();
  const [contactId, setContactId] = useState('');
  const [answer, setAnswer] = useState<{
    contactId: string;
    explanation?: Explanation;
    raw: unknown;
  } | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function ask(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const raw = await api.whyInSegment(segmentId, contactId.trim());
      const explanation = explanationOf(raw);
      setAnswer({ contactId: contactId.trim(), raw, ...(explanation ? { explanation } : {}) });
    } catch (err) {
      setAnswer(null);
      setError(err);
    }
  }
  return (
    <section className="card" data-testid="segment-why">
      <h2>Why is a contact in or out?</h2>
      <form className="inline-form" onSubmit={ask} style={{ marginLeft: 0 }}>
        <input
          placeholder="contact id"
          value={contactId}
          onChange={(e) => setContactId(e.target.value)}
          data-testid="segment-why-contact"
        />
        <button disabled={!contactId.trim()} data-testid="segment-why-ask">
          Explain
        </button>
      </form>
      <ErrorBox error={error} />
      {answer && (
        <div data-testid="segment-why-answer">
          {answer.explanation ? (
            <>
              <p>
                <strong>{answer.contactId}</strong> is{' '}
                {answer.explanation.matches ? 'in' : 'not in'} this segment.
              </p>
              <ul className="why-tree">
                <ExplanationTree node={answer.explanation} />
              </ul>
            </>
          ) : (
            <pre className="mono small">{JSON.stringify(answer.raw, null, 2)}</pre>
          )}
        </div>
      )}
    </section>
  );
}

/** Members per day, drawn from the segment's history. */
function MembershipHistory({ segmentId }: { segmentId: string }) {
  const api = useApi();
  const history = useLoad(() => api.segmentHistory(segmentId), [api, segmentId]);
  const days = Array.isArray(history.data) ? history.data : [];
  return (
    <section className="card" data-testid="segment-history">
      <h2>
        Members over time{' '}
        <button
          onClick={() =>
            void api
              .segmentMembersCsv(segmentId)
              .then((blob) => saveFile(blob, `${segmentId}-members.csv`))
          }
          data-testid="export-members"
        >
          Export members (CSV)
        </button>
      </h2>
      {history.error ? (
        <p className="muted small">
          History is not available: {describeError(history.error).message}
        </p>
      ) : (
        <LineChart
          testId="segment-history-chart"
          width={560}
          height={160}
          legend="latest"
          labels={days.map((d) => d.day)}
          series={[{ name: 'members', color: '#4f46e5', values: days.map((d) => d.members) }]}
        />
      )}
    </section>
  );
}
