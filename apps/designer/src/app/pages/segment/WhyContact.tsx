import { useState } from 'react';
import { ErrorBox } from '../../ErrorBox.js';
import { useApi } from '../../session.js';

type Explanation = { matches: boolean; sentence: string; children?: Explanation[] };

/** The API may wrap the explanation tree; find the node that carries `matches` and `sentence`. */
function explanationOf(raw: unknown): Explanation | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r['matches'] === 'boolean' && typeof r['sentence'] === 'string')
    return r as unknown as Explanation;
  for (const key of ['explanation', 'why', 'result']) {
    const inner = explanationOf(r[key]);
    if (inner) return inner;
  }
  return undefined;
}

function ExplanationTree({ node }: { node: Explanation }) {
  return (
    <li className={node.matches ? 'yes' : 'no'}>
      {node.sentence}
      {node.children && node.children.length > 0 && (
        <ul className="why-tree">
          {node.children.map((child, i) => (
            <ExplanationTree key={i} node={child} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** "Why is this contact in (or out of) the segment?", condition by condition, from the server's evaluator. */
export function WhyContact({ segmentId }: { segmentId: string }) {
  const api = useApi();
  const [contactId, setContactId] = useState('');
  const [answer, setAnswer] = useState<{
    contactId: string;
    explanation?: Explanation;
    raw: unknown;
  } | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function ask(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const raw = await api.whyInSegment(segmentId, contactId.trim());
      const explanation = explanationOf(raw);
      setAnswer({ contactId: contactId.trim(), raw, ...(explanation ? { explanation } : {}) });
    } catch (err) {
      setAnswer(null);
      setError(err);
    }
  }
  return (
    <section className="card" data-testid="segment-why">
      <h2>Why is a contact in or out?</h2>
      <form className="inline-form" onSubmit={ask} style={{ marginLeft: 0 }}>
        <input
          placeholder="contact id"
          value={contactId}
          onChange={(e) => setContactId(e.target.value)}
          data-testid="segment-why-contact"
        />
        <button disabled={!contactId.trim()} data-testid="segment-why-ask">
          Explain
        </button>
      </form>
      <ErrorBox error={error} />
      {answer && (
        <div data-testid="segment-why-answer">
          {answer.explanation ? (
            <>
              <p>
                <strong>{answer.contactId}</strong> is{' '}
                {answer.explanation.matches ? 'in' : 'not in'} this segment.
              </p>
              <ul className="why-tree">
                <ExplanationTree node={answer.explanation} />
              </ul>
            </>
          ) : (
            <pre className="mono small">{JSON.stringify(answer.raw, null, 2)}</pre>
          )}
        </div>
      )}
    </section>
  );
}
