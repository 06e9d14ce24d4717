import type { UseMutationResult } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { ErrorBox } from '../ErrorBox.js';
import { needsRole } from '../roles.js';
import { navigate, useCan } from '../session.js';

/** What a list can do to one of its rows, as the list's mutations (queries.ts) do it. */
export type ListRowMutations = {
  rename: UseMutationResult<unknown, Error, { id: string; name: string }>;
  duplicate: UseMutationResult<{ id: string }, Error, string>;
  archive: UseMutationResult<unknown, Error, string>;
};

/** How one list words its rows: the test-id prefix, the page a copy opens on, the hints and the question. */
export type RowKind = {
  noun: 'journey' | 'segment';
  route: 'journeys' | 'segments';
  duplicateHint: string;
  archiveQuestion: (name: string) => string;
};

/** Rename, Duplicate and Archive for one row of the journeys or segments list. */
export function RowActions({
  kind,
  row,
  actions,
  archived = false,
  onError,
}: {
  kind: RowKind;
  row: { id: string; name: string };
  actions: ListRowMutations;
  /** An archived row can be copied, nothing more. */
  archived?: boolean;
  onError: (error: unknown) => void;
}) {
  const canEdit = useCan('editDrafts');
  const canArchive = useCan('goLive');
  const [renaming, setRenaming] = useState(false);
  const testId = (action: string) => `${kind.noun}-${action}-${row.id}`;

  async function duplicate() {
    try {
      const copy = await actions.duplicate.mutateAsync(row.id);
      navigate(kind.route, copy.id);
    } catch (e) {
      onError(e);
    }
  }

  async function archive() {
    if (!window.confirm(kind.archiveQuestion(row.name))) return;
    try {
      await actions.archive.mutateAsync(row.id);
    } catch (e) {
      onError(e);
    }
  }

  return (
    // A click here acts on the row; it must not also open it.
    <td className="row-actions" onClick={(e) => e.stopPropagation()}>
      {!archived && (
        <button
          data-testid={testId('rename')}
          disabled={!canEdit}
          title={canEdit ? undefined : needsRole('editDrafts')}
          onClick={() => setRenaming(true)}
        >
          Rename
        </button>
      )}
      <button
        data-testid={testId('duplicate')}
        disabled={!canEdit}
        title={canEdit ? kind.duplicateHint : needsRole('editDrafts')}
        onClick={() => void duplicate()}
      >
        Duplicate
      </button>
      {!archived && (
        <button
          data-testid={testId('archive')}
          disabled={!canArchive}
          title={canArchive ? undefined : needsRole('goLive')}
          onClick={() => void archive()}
        >
          Archive
        </button>
      )}
      {renaming && (
        <RenameDialog
          noun={kind.noun}
          current={row.name}
          rename={(name) => actions.rename.mutateAsync({ id: row.id, name })}
          onClose={() => setRenaming(false)}
        />
      )}
    </td>
  );
}

/** A small modal with the name to change; Enter renames, Escape or Cancel leaves it as it was. */
function RenameDialog({
  noun,
  current,
  rename,
  onClose,
}: {
  noun: RowKind['noun'];
  current: string;
  rename: (name: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState(current);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const next = name.trim();

  // showModal, not the open attribute: focus stays inside and Escape closes it.
  useEffect(() => dialog.current?.showModal(), []);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await rename(next);
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={dialog}
      className="rename-dialog"
      data-testid={`${noun}-rename-dialog`}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form onSubmit={submit}>
        <h2>Rename {noun}</h2>
        <label className="field">
          <span className="field-label">Name</span>
          <input
            autoFocus
            value={name}
            data-testid={`${noun}-rename-input`}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <ErrorBox error={error} testId={`${noun}-rename-error`} />
        <div className="row">
          <button
            className="primary"
            data-testid={`${noun}-rename-save`}
            disabled={!next || next === current || busy}
          >
            {busy ? 'Renaming…' : 'Rename'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
