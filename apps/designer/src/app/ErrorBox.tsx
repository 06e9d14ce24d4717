import { describeError } from '../api/client.js';

export function ErrorBox({ error, testId }: { error: unknown; testId?: string }) {
  if (!error) return null;
  const { message, errors } = describeError(error);
  return (
    <div className="error-box" role="alert" data-testid={testId}>
      <strong>{message}</strong>
      {errors.length > 0 && (
        <ul>
          {errors.map((e, i) => (
            <li key={i}>
              <code>{e.path || '(journey)'}</code>: {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
