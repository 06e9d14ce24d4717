import { useState } from 'react';
import type { JourneyDefinition } from '@cairn/core';
import { describeError } from '../../api/client.js';
import { FunnelChart, LineChart } from '../charts/lazy.js';
import { exitRows, funnelBars, lastDays } from '../charts/funnel.js';
import { ErrorBox } from '../ErrorBox.js';
import { saveFile } from '../download.js';
import { useJourneyFunnel } from '../../api/queries.js';
import { useApi } from '../session.js';

/** A journey's step funnel over a chosen period of UTC days, its exits by reason, and the runs export. */
export function JourneyFunnel({
  journeyId,
  definition,
  onClose,
}: {
  journeyId: string;
  definition: JourneyDefinition;
  onClose: () => void;
}) {
  const api = useApi();
  const [period, setPeriod] = useState(() => lastDays(new Date(), 30));
  const [exportError, setExportError] = useState<unknown>(null);
  const [exporting, setExporting] = useState(false);
  const funnel = useJourneyFunnel(journeyId, period);
  const data = funnel.data && !funnel.error ? funnel.data : null;

  const exportRuns = async (status?: string) => {
    setExporting(true);
    setExportError(null);
    try {
      const blob = await api.journeyRunsCsv(journeyId, status);
      saveFile(blob, `${journeyId}-${status ?? 'all'}-runs.csv`);
    } catch (error) {
      setExportError(error);
    } finally {
      setExporting(false);
    }
  };

  return (
    <section className="card journey-funnel" data-testid="journey-funnel">
      <header className="funnel-header">
        <h2>Funnel</h2>
        <label>
          From{' '}
          <input
            type="date"
            value={period.from}
            max={period.to}
            onChange={(e) => e.target.value && setPeriod({ ...period, from: e.target.value })}
            data-testid="funnel-from"
          />
        </label>
        <label>
          to{' '}
          <input
            type="date"
            value={period.to}
            min={period.from}
            onChange={(e) => e.target.value && setPeriod({ ...period, to: e.target.value })}
            data-testid="funnel-to"
          />
        </label>
        <span className="muted small">UTC days</span>
        <span className="spacer" />
        <button onClick={() => void exportRuns()} disabled={exporting} data-testid="export-runs">
          Export runs (CSV)
        </button>
        <button onClick={() => void exportRuns('converted')} disabled={exporting}>
          Export converted
        </button>
        <button className="icon" onClick={onClose} title="Close the funnel">
          ×
        </button>
      </header>
      <ErrorBox error={exportError} />
      {funnel.error ? (
        <p className="muted small">
          The funnel is not available: {describeError(funnel.error).message}
        </p>
      ) : !data ? (
        <p className="muted small">Loading…</p>
      ) : (
        <>
          <p className="funnel-totals" data-testid="funnel-totals">
            <strong>{data.entered}</strong> entered · <strong>{data.converted}</strong> converted
            {data.heldOut > 0 && (
              <>
                {' '}
                · <strong>{data.heldOut}</strong> held out
              </>
            )}
          </p>
          <div className="funnel-body">
            <FunnelChart bars={funnelBars(data, definition)} />
            <div className="funnel-side">
              <h3>Exits by reason</h3>
              {data.exits.length === 0 ? (
                <p className="muted small">No run ended in this period.</p>
              ) : (
                <table className="exits" data-testid="funnel-exits">
                  <tbody>
                    {exitRows(data).map((row) => (
                      <tr key={row.reason}>
                        <td>{row.label}</td>
                        <td className="num">{row.runs}</td>
                        <td className="num muted">{row.share}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <h3>By day</h3>
              <LineChart
                testId="funnel-days"
                width={300}
                height={90}
                labels={data.days.map((d) => d.day)}
                series={[
                  { name: 'entered', color: '#4f46e5', values: data.days.map((d) => d.entered) },
                  {
                    name: 'converted',
                    color: '#16a34a',
                    values: data.days.map((d) => d.converted),
                  },
                  { name: 'exited', color: '#a1a1aa', values: data.days.map((d) => d.exited) },
                ]}
              />
            </div>
          </div>
        </>
      )}
    </section>
  );
}
