import { useEffect, useState } from 'react';
import type { ConditionGroup } from '@cairn/core';
import type { SegmentPreview } from '../../../api/client.js';
import { useApi } from '../../session.js';

const PREVIEW_DEBOUNCE_MS = 400;

/** The live count and sample for a definition being edited. */
export function useSegmentPreview(definition: ConditionGroup) {
  const api = useApi();
  const [preview, setPreview] = useState<SegmentPreview | null>(null);
  const [previewError, setPreviewError] = useState<unknown>(null);
  const [previewing, setPreviewing] = useState(false);

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
  return { preview, previewError, previewing };
}
