/** Opt-in timing of the fold's stages (CAIRN_FOLD_TRACE=1): totals per stage printed to stderr every 5 s. */
const enabled = process.env.CAIRN_FOLD_TRACE === '1';
const totals = new Map<string, { ms: number; calls: number; items: number }>();
let timer: NodeJS.Timeout | undefined;

function print(): void {
  const rows = [...totals].map(([k, v]) => `${k}=${Math.round(v.ms)}ms/${v.calls}c/${v.items}i`);
  process.stderr.write(`[fold-trace] ${rows.join(' ')}\n`);
}

export async function traced<T>(stage: string, items: number, work: () => Promise<T>): Promise<T> {
  if (!enabled) return work();
  const started = performance.now();
  try {
    return await work();
  } finally {
    const t = totals.get(stage) ?? { ms: 0, calls: 0, items: 0 };
    t.ms += performance.now() - started;
    t.calls++;
    t.items += items;
    totals.set(stage, t);
    if (!timer) {
      timer = setInterval(print, 5_000).unref();
      // The last totals too, for a run shorter than the interval.
      process.once('exit', print);
    }
  }
}
