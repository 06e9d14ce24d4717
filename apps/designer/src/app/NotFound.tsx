import { ApiError } from '../api/client.js';
import { ErrorBox } from './ErrorBox.js';
import { missingThing, type NotFoundWords, type Thing } from './not-found.js';

/** Says what was not found and leads back to where it would be listed. */
export function NotFoundPage({ words }: { words: NotFoundWords }) {
  return (
    <div className="page" data-testid="not-found">
      <h1>{words.title}</h1>
      <p className="muted" data-testid="not-found-detail">
        {words.detail}
      </p>
      <p>
        <a href={words.back.href}>{words.back.label}</a>
      </p>
    </div>
  );
}

/** A page whose object could not be loaded: "not found" in words when the API says 404, else its error. */
export function LoadFailed({ error, thing, id }: { error: unknown; thing: Thing; id: string }) {
  if (error instanceof ApiError && error.problem.status === 404)
    return <NotFoundPage words={missingThing(thing, id)} />;
  return (
    <div className="page">
      <ErrorBox error={error} />
    </div>
  );
}
