import type { FieldProblem } from '../../settings.js';

/** What a form would send wrong, before it is sent: the field and the fix. */
export function Problems({ problems, testId }: { problems: FieldProblem[]; testId?: string }) {
  if (problems.length === 0) return null;
  return (
    <ul className="problems" data-testid={testId}>
      {problems.map((p) => (
        <li key={p.path}>
          <code>{p.path}</code>: {p.message}
        </li>
      ))}
    </ul>
  );
}
