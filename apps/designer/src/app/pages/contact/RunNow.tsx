/** Where a contact's active run stands now, and when it moves on by itself (a delay's end, a wait's deadline). */
export function RunNow({
  journeyId,
  status,
  nodeId,
  wakeUpAt,
  now = Date.now(),
}: {
  journeyId: string;
  status: string;
  nodeId?: string;
  wakeUpAt?: string;
  now?: number;
}) {
  if (status !== 'active' || !nodeId) return null;
  const due = wakeUpAt ? Date.parse(wakeUpAt) : undefined;
  return (
    <p className="small" data-testid={`contact-run-now-${journeyId}`}>
      At <code>{nodeId}</code>
      {due !== undefined && (
        <>
          {' '}
          · moves on by itself {new Date(due).toLocaleString()}
          {due < now && <span className="status status-failed"> overdue</span>}
        </>
      )}
    </p>
  );
}
