export type Series = { name: string; color: string; values: number[] };
export type ChartGeometry = { width: number; height: number; pad: number };

/** SVG polyline points for each series over shared x positions and a y scale from 0 to the largest value. */
export function linePoints(
  series: Series[],
  size: ChartGeometry,
): { max: number; lines: { name: string; color: string; points: string }[] } {
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const length = Math.max(0, ...series.map((s) => s.values.length));
  const innerW = size.width - size.pad * 2;
  const innerH = size.height - size.pad * 2;
  const x = (i: number) => size.pad + (length <= 1 ? innerW / 2 : (i / (length - 1)) * innerW);
  const y = (v: number) => size.pad + innerH - (v / max) * innerH;
  return {
    max,
    lines: series.map((s) => ({
      name: s.name,
      color: s.color,
      points: s.values.map((v, i) => `${round(x(i))},${round(y(v))}`).join(' '),
    })),
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** "42%" of a part, or "—" when nothing was sent to compare with. */
export function rate(part: number | undefined, whole: number | undefined): string {
  if (!whole || part === undefined) return '—';
  return `${Math.round((part / whole) * 1000) / 10}%`;
}
