const { connectDatabase, ingestEvents, createWorkspace, syncIndexes } = require('@cairn/db');
const { normalizeEvent } = require('@cairn/core');
(async () => {
  const db = await connectDatabase(process.env.MONGO_URL, 'prof');
  await syncIndexes(db.connection);
  const ws = await createWorkspace(db.connection, { name: 'x', slug: 'x' + Date.now() });
  const now = Date.now();
  const evs = [];
  for (let c = 0; c < 10; c++) for (let i = 0; i < 50; i++) evs.push(normalizeEvent({ type: 'track', userId: 'c' + c, event: i % 10 ? 'Product Viewed' : 'Order Completed', messageId: `m${c}-${i}`, timestamp: new Date(now - (i * 86400000)).toISOString(), properties: { revenue: 10, product_id: 'p' + (i % 5), products: [{ product_id: 'p1', price: 3, quantity: 1, category: 'x' }] } }, { receivedAt: now, now }).event);
  let last = Date.now();
  const counts = {};
  db.connection.set('debug', (coll, method) => { const t = Date.now(); const k = coll + '.' + method; counts[k] = (counts[k] || 0) + 1; if (t - last > 50) console.log('gap', t - last, 'before', k); last = t; });
  const t = Date.now();
  await ingestEvents(db.connection, ws.workspace._id, evs);
  console.log('ingest 500', Date.now() - t, 'ms', JSON.stringify(counts));
  await db.connection.dropDatabase();
  await db.close();
})();
