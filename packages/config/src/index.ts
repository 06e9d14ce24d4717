import { z } from 'zod';

/** Raised at start-up when an environment variable is missing or malformed. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const port = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a port number (1-65535)' })
    .int('expected a port number (1-65535)')
    .min(1, 'expected a port number (1-65535)')
    .max(65535, 'expected a port number (1-65535)')
    .default(fallback);

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: "expected 'true' or 'false'" })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const list = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

const perMinute = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a number of requests per minute (0 turns the limit off)' })
    .int('expected a whole number of requests per minute')
    .min(0, 'expected 0 (off) or more requests per minute')
    .default(fallback);

const url = (what: string) => z.url({ error: `expected ${what}` });

/** The database engines the embedded stack can run; MONGO_URL replaces them with a server of your own. */
export const ENGINES = ['ferretdb-sqlite', 'ferretdb-postgres'] as const;
export type Engine = (typeof ENGINES)[number];
const engine = z
  .enum(ENGINES, { error: `expected one of ${ENGINES.join(', ')}` })
  .default('ferretdb-sqlite');

/**
 * Every variable Cairn reads, with its default. The embedded stack (npm start) and
 * docker-compose.yml both set these, so a process never guesses where its services are.
 */
export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  MONGO_URL: z
    .string()
    .regex(
      /^mongodb(\+srv)?:\/\//,
      "expected a MongoDB connection string starting with 'mongodb://'",
    )
    .optional(),
  MONGO_DB: z.string().min(1).default('cairn'),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, "expected host:port, e.g. '127.0.0.1:7233'")
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('cairn'),
  CAIRN_API_HOST: z.string().min(1).default('127.0.0.1'),
  CAIRN_API_PORT: port(3000),
  CAIRN_PUBLIC_URL: url("an absolute URL such as 'https://cairn.example.com'").optional(),
  // The instance admin's bearer token: creates workspaces over HTTP (docs/security.md); unset = off.
  CAIRN_ADMIN_TOKEN: z
    .string()
    .min(32, 'expected at least 32 characters (a random secret, e.g. `openssl rand -hex 32`)')
    .optional(),
  CAIRN_SECRET_KEY: z
    .string()
    .min(
      32,
      'expected at least 32 characters (used to encrypt credentials and sign tracking links)',
    )
    .optional(),
  CAIRN_DESIGNER_DIR: z.string().optional(),
  // Set by `npm start`: where its supervisor records processes it is restarting, for /readyz.
  CAIRN_SUPERVISOR_STATE_FILE: z.string().optional(),
  // Checks every JSON answer of the API against its schema in @cairn/contract; unset: on under NODE_ENV=test.
  CAIRN_CHECK_RESPONSES: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: "expected 'true' or 'false'" })
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes')),
  CAIRN_ACTION_PACKAGES: list,
  CAIRN_WEBHOOK_ALLOW_HOSTS: list,
  // The longest the due-list scheduler sleeps; it wakes at the earliest due instant before that.
  CAIRN_SWEEP_INTERVAL_SECONDS: z.coerce
    .number({ error: 'expected a number of seconds' })
    .int()
    .min(1, 'expected at least 1 second')
    .default(10),
  CAIRN_TEMPORAL_CONNECT_TIMEOUT_SECONDS: z.coerce
    .number({ error: 'expected a number of seconds' })
    .int()
    .min(1)
    .default(60),
  // Cross-process wake-up of the journey dispatcher (decision 018): the worker listens for UDP datagrams at
  // CAIRN_DISPATCH_WAKE_LISTEN ('off' = poll only); processes that write journey triggers (the API) send one
  // to each of CAIRN_DISPATCH_WAKE_TARGETS after a write. A lost datagram costs one poll interval, no more.
  CAIRN_DISPATCH_WAKE_LISTEN: z
    .string()
    .regex(/^(off|[^\s:]+:\d+)$/, "expected host:port, e.g. '127.0.0.1:7244', or 'off'")
    .default('127.0.0.1:7244'),
  CAIRN_DISPATCH_WAKE_TARGETS: z
    .string()
    .default('127.0.0.1:7244')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '' && s !== 'off'),
    )
    .pipe(
      z.array(
        z.string().regex(/^[^\s:]+:\d+$/, "expected host:port, e.g. 'worker:7244', or 'off'"),
      ),
    ),
  // Workflow runs the worker keeps in memory between tasks (Temporal's sticky cache); unset = sized
  // from the worker's heap limit by workflowCacheSize(). 0 turns the cache off (every task replays).
  CAIRN_MAX_CACHED_WORKFLOWS: z.coerce
    .number({ error: 'expected a whole number of cached workflow runs (0 turns the cache off)' })
    .int('expected a whole number of cached workflow runs (0 turns the cache off)')
    .min(0, 'expected 0 (cache off) or at least 2 cached workflow runs')
    .refine(
      (n) => n !== 1,
      'expected 0 (cache off) or at least 2 cached workflow runs (Temporal needs two)',
    )
    .optional(),
  // Requests per minute per presented key (per client IP when none is sent); 0 turns the limit off.
  CAIRN_RATE_LIMIT_INGEST_PER_MINUTE: perMinute(6000),
  CAIRN_RATE_LIMIT_API_PER_MINUTE: perMinute(3000),
  SMTP_HOST: z.string().default('127.0.0.1'),
  SMTP_PORT: port(2525),
  SMTP_SECURE: bool(false),
  SMTP_USER: z.string().optional(),
  SMTP_PASS: z.string().optional(),
  CAIRN_EMAIL_FROM: z.string().default('Cairn <hello@cairn.local>'),
  CAIRN_HOME: z.string().optional(),
  TEMPORAL_BIN: z.string().optional(),
  TEMPORAL_TEST_SERVER_BIN: z.string().optional(),
  FERRETDB_BIN: z.string().optional(),
  // Which engine `npm start`, `npm test` and cairn-stack run; see docs/decisions/012-embedded-engine.md.
  CAIRN_ENGINE: engine,
  POSTGRES_BIN: z.string().optional(),
});

export type CairnEnv = z.infer<typeof EnvSchema>;

/** Parses the environment; on failure throws a ConfigError naming each variable and what it expects. */
export function loadConfig(env: Record<string, string | undefined> = process.env): CairnEnv {
  // Empty strings mean "unset" so that `FOO=` in a compose file falls back to the default.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const got = env[name];
        return `${name}: ${issue.message}${got === undefined ? ' (not set)' : ` (got '${got}')`}`;
      }),
    );
  }
  return parsed.data;
}

/**
 * CAIRN_ENGINE alone, for the dev stack: it starts before any Cairn process and must not fail on a variable
 * that only the API or the worker reads.
 */
export function embeddedEngine(env: Record<string, string | undefined> = process.env): Engine {
  const got = env.CAIRN_ENGINE;
  const parsed = engine.safeParse(got === '' ? undefined : got);
  if (!parsed.success)
    throw new ConfigError([`CAIRN_ENGINE: expected one of ${ENGINES.join(', ')} (got '${got}')`]);
  return parsed.data;
}

/** Like loadConfig but also requires the services to be addressed (api and worker need both). */
export function loadServiceConfig(
  env: Record<string, string | undefined> = process.env,
): CairnEnv & { MONGO_URL: string; TEMPORAL_ADDRESS: string } {
  const config = loadConfig(env);
  const missing: string[] = [];
  if (!config.MONGO_URL)
    missing.push(
      "MONGO_URL: not set; expected e.g. 'mongodb://127.0.0.1:27017' (npm start sets it)",
    );
  if (!config.TEMPORAL_ADDRESS)
    missing.push("TEMPORAL_ADDRESS: not set; expected e.g. '127.0.0.1:7233' (npm start sets it)");
  if (missing.length) throw new ConfigError(missing);
  return config as CairnEnv & { MONGO_URL: string; TEMPORAL_ADDRESS: string };
}

/**
 * Memory budgeted per cached workflow run, and for everything else in the worker process.
 * Measured (bench/memory.mjs and an in-process worker with stubbed activities, Node 20, SDK 1.24,
 * reuseV8Context on): a journey run waiting on a delay costs ~0.3–0.4 MiB of worker RSS for a 3-node
 * journey, ~0.55 MiB for 100 nodes and ~0.9 MiB for 500 nodes (each run holds its own decoded copy of the
 * definition). 2 MiB leaves about 2× headroom over the largest of these; the 512 MiB reserve covers
 * the idle worker (~250–370 MiB RSS: bundle, activities, database and Temporal connections) with room
 * for activity bursts. The SDK's own default (~600 runs per GiB of heap, 2,310 on a 4 GiB heap) assumes
 * ~1.7 MiB per run with no reserve, which a large journey plus the idle worker would not fit.
 */
export const WORKFLOW_CACHE_MIB_PER_RUN = 2;
export const WORKFLOW_CACHE_RESERVED_MIB = 512;

/**
 * The sticky-cache size for a worker: CAIRN_MAX_CACHED_WORKFLOWS when set, else what fits the heap
 * limit (pass `v8.getHeapStatistics().heap_size_limit`) at WORKFLOW_CACHE_MIB_PER_RUN per run, at
 * least 10 (the SDK's own floor). A run that falls out of the cache is replayed from its history
 * when its next task comes, so a smaller cache costs CPU on wake-up, never correctness.
 */
export function workflowCacheSize(
  config: Pick<CairnEnv, 'CAIRN_MAX_CACHED_WORKFLOWS'>,
  heapLimitBytes: number,
): number {
  if (config.CAIRN_MAX_CACHED_WORKFLOWS !== undefined) return config.CAIRN_MAX_CACHED_WORKFLOWS;
  const heapMiB = heapLimitBytes / (1024 * 1024);
  return Math.max(
    10,
    Math.floor((heapMiB - WORKFLOW_CACHE_RESERVED_MIB) / WORKFLOW_CACHE_MIB_PER_RUN),
  );
}

/**
 * Custom search attributes on journey workflows, so Temporal's own UI and CLI can find a
 * contact's runs. The dev stack registers them at start; the worker adds any that are missing.
 */
export const SEARCH_ATTRIBUTES = {
  CairnWorkspaceId: 'Keyword',
  CairnJourneyId: 'Keyword',
  CairnJourneyVersion: 'Int',
  CairnContactId: 'Keyword',
} as const;
