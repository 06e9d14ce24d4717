import { summarizeProfile } from '../../../graph/profile.js';

const money = (n: number) => n.toLocaleString(undefined, { maximumFractionDigits: 2 });
const date = (ms: number | undefined) =>
  ms === undefined ? '—' : new Date(ms).toLocaleDateString();

/** The behavioural profile at a glance: engagement, RFM, orders, the next order expected, categories, email. */
export function ProfileCard({
  contactId,
  profile,
}: {
  contactId: string;
  profile: Record<string, unknown>;
}) {
  const now = new Date();
  const p = summarizeProfile(contactId, profile, now);
  const overdue = p.predictedNextOrderAt !== undefined && p.predictedNextOrderAt < now.getTime();
  return (
    <section className="card" data-testid="contact-profile">
      <h2>Profile</h2>
      <div className="profile-grid">
        <div className="stat">
          <div className="eyebrow">Engagement</div>
          <span className={`level level-${p.engagement}`} data-testid="contact-engagement">
            {p.engagement}
          </span>
        </div>
        <div className="stat">
          <div className="eyebrow">RFM (1–5)</div>
          {p.rfm ? (
            <span data-testid="contact-rfm">
              R{p.rfm.recency} F{p.rfm.frequency} M{p.rfm.monetary}{' '}
              <span className="muted">· {p.rfm.total}</span>
            </span>
          ) : (
            <span className="muted">not scored yet</span>
          )}
        </div>
        <div className="stat">
          <div className="eyebrow">Orders</div>
          <span data-testid="contact-orders">
            {p.orders.count} · {money(p.orders.revenue)} total
          </span>
          <div className="muted small">
            {p.orders.averageValue !== undefined && `avg ${money(p.orders.averageValue)}`}
            {p.orders.meanDaysBetween !== undefined &&
              ` · every ${Math.round(p.orders.meanDaysBetween)} days`}
          </div>
          <div className="muted small">
            first {date(p.orders.firstAt)} · last {date(p.orders.lastAt)}
          </div>
        </div>
        <div className="stat">
          <div className="eyebrow">Predicted next order</div>
          <span data-testid="contact-next-order">{date(p.predictedNextOrderAt)}</span>
          {overdue && (
            <span className="status status-failed" data-testid="contact-next-order-overdue">
              {' '}
              overdue
            </span>
          )}
        </div>
        <div className="stat">
          <div className="eyebrow">Top categories</div>
          {p.topCategories.length === 0 && <span className="muted">none yet</span>}
          {p.topCategories.map((c) => (
            <div key={c.name} className="bar-row">
              <span>{c.name}</span>
              <span className="bar" style={{ width: `${Math.round(c.share * 100)}%` }} />
              <span className="muted small">{Math.round(c.share * 100)}%</span>
            </div>
          ))}
        </div>
        <div className="stat">
          <div className="eyebrow">Email</div>
          <span>
            {p.email.sent} sent · {p.email.opened} opened · {p.email.clicked} clicked
          </span>
        </div>
      </div>
    </section>
  );
}
