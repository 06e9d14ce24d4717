import { useState } from 'react';
import type { ConditionGroup } from '@cairn/core';
import { useSaveSegment } from '../../../api/queries.js';
import { contactName } from '../../contact-name.js';
import { ErrorBox } from '../../ErrorBox.js';
import { ConditionGroupEditor } from '../../forms/ConditionGroupEditor.js';
import type { ConditionPickers } from '../../forms/conditions/model.js';
import { needsRole } from '../../roles.js';
import { navigate, useCan } from '../../session.js';
import { MembershipHistory } from './MembershipHistory.js';
import { useSegmentPreview } from './useSegmentPreview.js';
import { WhyContact } from './WhyContact.js';

/** The segment's name, description and conditions, with a live count of who matches. */
export function SegmentForm({
  segmentId,
  initial,
  pickers,
}: {
  segmentId: string | undefined;
  initial: { name: string; description?: string; definition: ConditionGroup };
  pickers: ConditionPickers;
}) {
  const [name, setName] = useState(initial.name);
  const [description, setDescription] = useState(initial.description ?? '');
  const [definition, setDefinition] = useState<ConditionGroup>(initial.definition);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const canEdit = useCan('editDrafts');
  const { preview, previewError, previewing } = useSegmentPreview(definition);
  const saveSegment = useSaveSegment(segmentId);

  async function save() {
    setSaveError(null);
    try {
      const saved = await saveSegment.mutateAsync({ name: name.trim(), description, definition });
      if (!segmentId) navigate('segments', saved.id);
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
