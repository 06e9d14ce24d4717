import type { JourneyDetail } from '../../../api/client.js';
import { outputsOf } from '../../../graph/definition.js';
import { useCan, useMe } from '../../session.js';
import { startingGraph } from './canvas-model.js';
import { LeaveDialog, RestoreBanner } from './UnsavedPrompts.js';
import type { JourneyCanvas } from './useJourneyCanvas.js';
import { useLeaveGuard } from './useLeaveGuard.js';
import { useLocalDraft } from './useLocalDraft.js';
import type { PublishFlow } from './usePublishFlow.js';

/**
 * Nothing unsaved is lost: edits are kept on this computer as they are made and offered back on reopening,
 * and leaving the editor (a link, the back button, closing the tab) asks first.
 */
export function UnsavedWork({
  detail,
  canvas,
  flow,
}: {
  detail: JourneyDetail;
  canvas: JourneyCanvas;
  flow: PublishFlow;
}) {
  const me = useMe();
  const canSave = useCan('editDrafts');
  const kept = useLocalDraft({
    workspaceId: me?.workspace.id,
    journeyId: detail.id,
    serverDraft: detail.draft,
    definition: canvas.definition,
    unsaved: flow.dirty,
    savedContent: flow.savedContent,
  });
  const guard = useLeaveGuard(flow.dirty);
  const { offer } = kept;

  return (
    <>
      {offer && (
        <div className="editor-messages">
          <RestoreBanner
            offer={offer}
            onRestore={() => {
              const graph = startingGraph(offer.definition, (n) => outputsOf(n, canvas.catalog));
              // An edit, not a load: Undo goes back to the saved draft.
              canvas.dispatch({ type: 'edit', change: () => graph });
              canvas.setSettings(offer.definition.settings);
              kept.accept();
            }}
            onDiscard={kept.discard}
          />
        </div>
      )}
      {guard.heldAt && (
        <LeaveDialog
          canSave={canSave}
          onStay={guard.stay}
          onDiscard={() => {
            kept.forget();
            guard.leave();
          }}
          onSaveAndLeave={async () => {
            if (await flow.save()) guard.leave();
            else guard.stay();
          }}
        />
      )}
    </>
  );
}
