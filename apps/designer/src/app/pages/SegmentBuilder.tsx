import { useEventSchema, useMetricSchema, useSegment, useSegments } from '../../api/queries.js';
import { LoadFailed } from '../NotFound.js';
import { SegmentForm } from './segment/SegmentForm.js';

export function SegmentBuilder({ segmentId }: { segmentId?: string }) {
  const existing = useSegment(segmentId);
  const events = useEventSchema();
  const metrics = useMetricSchema();
  const segments = useSegments();

  if (existing.error)
    return <LoadFailed error={existing.error} thing="segment" id={segmentId ?? ''} />;
  if (segmentId && !existing.data) return <div className="page muted">Loading…</div>;
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
