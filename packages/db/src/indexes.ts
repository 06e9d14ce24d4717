import type { Connection } from 'mongoose';

/** Creates the declared indexes of every model on this connection (autoIndex is off so start-up is explicit). */
export async function syncIndexes(connection: Connection): Promise<void> {
  for (const model of Object.values(connection.models)) await model.createIndexes();
}
