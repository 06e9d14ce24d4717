import { randomBytes } from 'node:crypto';
import { connectDatabase, type Database } from '../src/index';

/** A connection to the real MONGO_URL server with a database of its own, dropped by `drop()`. */
export async function testDatabase(prefix = 'test'): Promise<Database & { drop(): Promise<void> }> {
  const url = process.env.MONGO_URL;
  if (!url)
    throw new Error(
      'MONGO_URL is not set: run integration tests through `npm test` (it starts the embedded stack)',
    );
  const db = await connectDatabase(url, `${prefix}_${randomBytes(4).toString('hex')}`);
  return Object.assign(db, {
    async drop() {
      await db.connection.dropDatabase().catch(() => undefined);
      await db.close();
    },
  });
}
