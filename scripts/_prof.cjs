const { connectDatabase, ingestEvents, createWorkspace, syncIndexes } = require('@cairn/db');
const { normalizeEvent } = require('@cairn/core');
const mongoose = require('mongoose');
(async () => {
  const db = await connectDatabase(process.env.MONGO_URL, 'prof');
  await syncIndexes(db.connection);
  const times = {};
  db.connection.set('debug', (coll, method) => { });
  const ws = await createWorkspace(db.connection, { name: 'x', slug: 'x' + Date.now() });
  const now = Date.now();
  const evs = [];
  for (let c = 0; c < 200; c++) for (let i = 0; i < 50; i++) evs.push(normalizeEvent({ type: 'track', userId: 'c' + c, event: i % 10 ? 'Product Viewed' : 'Order Completed', messageId: `m${c}-${i}`, timestamp: new Date(now - (i * 86400000)).toISOString(), properties: { revenue: 10, product_id: 'p' + (i % 5), products: [{ product_id: 'p1', price: 3, quantity: 1, category: 'x' }] } }, { receivedAt: now, now }).event);
  // raw baseline
  let t = Date.now();
  const raw = db.connection.db.collection('raw');
  for (let i = 0; i < evs.length; i += 500) await raw.insertMany(evs.slice(i, i + 500).map((e, j) => ({ _id: `r${i + j}`, ...e })));
  console.log('raw insert 10k', Date.now() - t, 'ms');
  // wrap model methods to time
  for (const m of ['insertMany', 'updateOne', 'deleteMany']) {
    const orig = mongoose.Model[m];
    mongoose.Model[m] = function (...a) { const s = Date.now(); const r = orig.apply(this, a); const k = this.modelName + '.' + m; const done = () => { times[k] = (times[k] || 0) + Date.now() - s; }; if (r && r.then) { const p = r.then((x) => { done(); return x; }, (e) => { done(); throw e; }); return p; } return r; };
  }
  t = Date.now();
  for (let i = 0; i < evs.length; i += 500) await ingestEvents(db.connection, ws.workspace._id, evs.slice(i, i + 500));
  console.log('ingest 10k', Date.now() - t, 'ms', JSON.stringify(times));
  await db.connection.dropDatabase();
  await db.close();
})();
