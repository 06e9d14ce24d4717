import type { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import type { CairnEnv } from '@cairn/config';
import type { Database, Ingestion } from '@cairn/db';

/** Everything a route needs from the outside world, passed in so tests run the real app on real services. */
export interface ApiContext {
  config: CairnEnv;
  db: Database;
  temporal: { connection: Connection; client: Client; namespace: string; taskQueue: string };
  logger: Logger;
  /** Folds appended events into profiles behind the ingestion answers (append, then fold). */
  /** Ingestion's stages wired once (packages/db/src/ingestion.ts); its fold queue is this process's lag. */
  ingestion: Ingestion;
}
