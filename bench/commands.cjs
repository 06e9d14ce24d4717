// Preloaded into an app by bench/lib.mjs under BENCH_PROFILE: counts the database commands it sends (by
// command and collection, with time spent) and, on SIGWINCH, writes the totals so far to
// BENCH_PROFILE/<app>-commands.json, so a bench can diff them around a leg. Needs CAIRN_MONITOR_COMMANDS=1.
// Not SIGUSR2: the Temporal SDK stops a worker on it.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { MongoClient } = require('mongodb');

const counts = {};
const started = new Map();
const emit = MongoClient.prototype.emit;
MongoClient.prototype.emit = function (event, e, ...rest) {
  if (event === 'commandStarted') {
    const target = e.command?.[e.commandName];
    started.set(e.requestId, {
      key: typeof target === 'string' ? `${e.commandName} ${target}` : e.commandName,
      at: performance.now(),
    });
  } else if (event === 'commandSucceeded' || event === 'commandFailed') {
    const s = started.get(e.requestId);
    if (s) {
      started.delete(e.requestId);
      const c = (counts[s.key] ??= { count: 0, ms: 0 });
      c.count += 1;
      c.ms += performance.now() - s.at;
    }
  }
  return emit.call(this, event, e, ...rest);
};

process.on('SIGWINCH', () => {
  writeFileSync(
    join(process.env.BENCH_PROFILE, `${process.env.BENCH_APP}-commands.json`),
    JSON.stringify(counts),
  );
});
