const { connectDatabase, ingestEvents, createWorkspace, syncIndexes } = require('@cairn/db');
const { normalizeEvent } = require('@cairn/core');
(async () => {
  const db = await connectDatabase(process.env.MONGO_URL, 'prof3');
  await syncIndexes(db.connection);
  const ws = await createWorkspace(db.connection, { name: 'x', slug: 'x' + Date.now() });
  const T0 = Date.UTC(2026, 0, 1), DAY = 86400000, now = Date.now();
  const evs = [];
  for (let c = 0; c < 100; c++) for (let i = 1; i < 50; i++) {
    const isOrder = i % 10 === 0;
    evs.push(normalizeEvent({ type: 'track', userId: `c${c}`, messageId: `ev-${c}-${i}`, timestamp: new Date(T0 + ((c * 7 + i * 13) % 300) * DAY + i * 1000).toISOString(), event: isOrder ? 'Order Completed' : i % 3 ? 'Product Viewed' : 'Page Viewed', properties: isOrder ? { order_id: `o-${c}-${i}`, revenue: 10 + ((c + i) % 90), products: [{ product_id: `p${i % 7}`, category: `cat${i % 4}`, price: 10, quantity: 1 }] } : { product_id: `p${i % 7}`, category: `cat${i % 4}` } }, { receivedAt: now, now }).event);
  }
  const t = Date.now();
  let last = Date.now(); let on = false;
  db.connection.set('debug', (coll, method) => { const n = Date.now(); if (on && n - last > 100) console.log('  gap', n - last, 'before', coll + '.' + method); last = n; });
  for (let i = 0; i < evs.length; i += 500) {
    const s = Date.now(); on = i / 500 >= 8; last = Date.now();
    await ingestEvents(db.connection, ws.workspace._id, evs.slice(i, i + 500), { now });
    console.log('chunk', i / 500, Date.now() - s, 'ms');
  }
  console.log('total', evs.length, 'events', Date.now() - t, 'ms');
  await db.connection.dropDatabase(); await db.close();
})();
