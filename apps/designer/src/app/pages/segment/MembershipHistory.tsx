import { describeError } from '../../../api/client.js';
import { useQuery } from '@tanstack/react-query';
import { LineChart } from '../../charts/lazy.js';
import { saveFile } from '../../download.js';
import { useApi } from '../../session.js';

/** Members per day, drawn from the segment's history. */
export function MembershipHistory({ segmentId }: { segmentId: string }) {
  const api = useApi();
  const history = useQuery({
    queryKey: ['segments', segmentId, 'history'],
    queryFn: () => api.segmentHistory(segmentId),
  });
  const days = Array.isArray(history.data) ? history.data : [];
  return (
    <section className="card" data-testid="segment-history">
      <h2>
        Members over time{' '}
        <button
          onClick={() =>
            void api
              .segmentMembersCsv(segmentId)
              .then((blob) => saveFile(blob, `${segmentId}-members.csv`))
          }
          data-testid="export-members"
        >
          Export members (CSV)
        </button>
      </h2>
      {history.error ? (
        <p className="muted small">
          History is not available: {describeError(history.error).message}
        </p>
      ) : (
        <LineChart
          testId="segment-history-chart"
          width={560}
          height={160}
          legend="latest"
          labels={days.map((d) => d.day)}
          series={[{ name: 'members', color: '#4f46e5', values: days.map((d) => d.members) }]}
        />
      )}
    </section>
  );
}
