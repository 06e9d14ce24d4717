import { useMemo, useState } from 'react';
import type { JourneyDefinition } from '@cairn/core';
import type { JourneyDetail, JourneyStatus } from '../../../api/client.js';
import { useJourneyMutations } from '../../../api/queries.js';
import { diffJourneys } from '../../../graph/diff.js';
import { journeyContent } from '../../../graph/local-draft.js';
import type { JourneyDiff } from '../../../graph/diff.js';
import { useApi } from '../../session.js';

/** For a segment-entry journey: who is in the segment now, and so would enter if the marketer says so. */
export type ExistingMembers = { segmentName: string; count: number };
export type PublishReview = {
  previousVersion: number | undefined;
  diff?: JourneyDiff;
  error?: unknown;
  existingMembers?: ExistingMembers;
};
export type PublishResult =
  { ok: true; version: number; existingQueued?: number } | { ok: false; error: unknown };

/** The journey's life on the server: save the draft, review and publish a version, pause and resume. */
export function usePublishFlow(
  detail: JourneyDetail,
  definition: JourneyDefinition,
  [status, setStatus]: [JourneyStatus, (status: JourneyStatus) => void],
) {
  const api = useApi();
  const mutations = useJourneyMutations(detail.id);
  const [publishedVersion, setPublishedVersion] = useState(detail.publishedVersion);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [publishResult, setPublishResult] = useState<PublishResult | null>(null);
  const [review, setReview] = useState<PublishReview | null>(null);
  // Serialising a large journey costs milliseconds: once per change, not on every render.
  const current = useMemo(
    () => ({ json: JSON.stringify(definition), content: journeyContent(definition) }),
    [definition],
  );
  const [saved, setSaved] = useState(current);
  // Moved steps alone (opening a journey laid out on the spot, Auto-layout) are not "unsaved changes":
  // nothing a contact goes through changed. They are still saved with the next save or publish.
  const unsaved = current.content !== saved.content;
  const isDirty = current.json !== saved.json;

  async function save(): Promise<boolean> {
    setBusy('save');
    setSaveError(null);
    try {
      await mutations.saveDraft.mutateAsync(definition);
      setSaved(current);
      setNotice('Draft saved');
      return true;
    } catch (e) {
      setSaveError(e);
      return false;
    } finally {
      setBusy(null);
    }
  }

  /** How many contacts are in the trigger's segment now (counted by the API on the saved draft); undefined for other triggers. */
  async function currentMembers(): Promise<ExistingMembers | undefined> {
    const trigger = definition.nodes.find((n) => n.kind === 'trigger');
    if (trigger?.kind !== 'trigger' || trigger.trigger.type !== 'segmentEntered') return undefined;
    if (isDirty && !(await save())) return undefined;
    try {
      const { enrollExisting } = await api.publishPreview(detail.id);
      return enrollExisting.applies
        ? { segmentName: enrollExisting.segmentName, count: enrollExisting.members }
        : undefined;
    } catch {
      return undefined;
    }
  }

  /** Before publishing, show what changes against the live version (a first version has nothing to compare). */
  async function reviewPublish() {
    setPublishResult(null);
    const existingMembers = await currentMembers();
    const members = existingMembers ? { existingMembers } : {};
    if (publishedVersion === undefined)
      return setReview({ previousVersion: undefined, ...members });
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
        ...members,
      });
    } catch (error) {
      // The diff is a courtesy: publishing stays possible when the old version cannot be read.
      setReview({ previousVersion: publishedVersion, error, ...members });
    } finally {
      setBusy(null);
    }
  }

  async function publish(enrollExisting: boolean) {
    setReview(null);
    setPublishResult(null);
    if (isDirty && !(await save())) return;
    setBusy('publish');
    try {
      const { version, existingMembers } = await mutations.publish.mutateAsync(
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
      await mutations.setRunning.mutateAsync(run);
      setStatus(run ? 'published' : 'paused');
    } catch (e) {
      setSaveError(e);
    } finally {
      setBusy(null);
    }
  }

  return {
    status,
    publishedVersion,
    busy,
    notice,
    /** Changes a contact would notice are not saved yet. */
    dirty: unsaved,
    savedContent: saved.content,
    saveError,
    publishResult,
    review,
    save,
    reviewPublish,
    publish,
    setRunning,
    closeReview: () => setReview(null),
    closePublishResult: () => setPublishResult(null),
  };
}

export type PublishFlow = ReturnType<typeof usePublishFlow>;
