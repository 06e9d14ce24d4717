import { lazy, Suspense, type ComponentProps } from 'react';

// recharts is some 430 kB minified: loaded with the first chart, so the canvas does not wait for it.
const LineChartModule = lazy(async () => ({ default: (await import('./LineChart.js')).LineChart }));
const FunnelChartModule = lazy(async () => ({
  default: (await import('./FunnelChart.js')).FunnelChart,
}));

const loading = <p className="muted small">Loading chart…</p>;

export function LineChart(props: ComponentProps<typeof LineChartModule>) {
  return (
    <Suspense fallback={loading}>
      <LineChartModule {...props} />
    </Suspense>
  );
}

export function FunnelChart(props: ComponentProps<typeof FunnelChartModule>) {
  return (
    <Suspense fallback={loading}>
      <FunnelChartModule {...props} />
    </Suspense>
  );
}
