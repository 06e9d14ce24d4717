import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES } from '@cairn/config';

/**
 * Connects to Temporal, retrying with backoff until `timeoutSeconds` have passed, then fails with
 * a message that says where it tried and what to check.
 */
export async function connectWithRetry<T>(
  what: string,
  connect: () => Promise<T>,
  options: { address: string; timeoutSeconds: number; log?: (message: string) => void },
): Promise<T> {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (error) {
      if (Date.now() + delay > deadline) {
        throw new Error(
          `${what}: Temporal at ${options.address} is unreachable after ${options.timeoutSeconds}s (${attempt} attempts): ${
            error instanceof Error ? error.message : String(error)
          }. Check TEMPORAL_ADDRESS, or start the embedded stack with \`npm start\`.`,
        );
      }
      options.log?.(`waiting for Temporal at ${options.address} (attempt ${attempt})`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }
}

export function connectWorkerConnection(
  address: string,
  timeoutSeconds: number,
  log?: (m: string) => void,
) {
  return connectWithRetry('worker', () => NativeConnection.connect({ address }), {
    address,
    timeoutSeconds,
    log,
  });
}

export function connectClientConnection(
  address: string,
  timeoutSeconds: number,
  log?: (m: string) => void,
) {
  return connectWithRetry('client', () => Connection.connect({ address, connectTimeout: 5000 }), {
    address,
    timeoutSeconds,
    log,
  });
}

const INDEXED_VALUE_TYPE: Record<string, number> = {
  // temporal.api.enums.v1.IndexedValueType
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};

/** Registers Cairn's search attributes on a server that lacks them (a fresh cluster from docker-compose). */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = Object.entries(SEARCH_ATTRIBUTES).filter(([name]) => !known.has(name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(
      missing.map(([name, type]) => [name, INDEXED_VALUE_TYPE[type] ?? 2]),
    ),
  });
  return missing.map(([name]) => name);
}
