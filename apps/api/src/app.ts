import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import type { ApiContext } from './context.js';
import { notFoundHandler, problemHandler } from './http/problem.js';
import { healthRoutes } from './routes/health.js';
import { managementRoutes } from './routes/management.js';
import { trackingRoutes } from './routes/tracking.js';
import { inAppRoutes } from './routes/in-app.js';
import { ingestRoutes } from './routes/ingest.js';
import { docsRoutes } from './routes/docs.js';
import { requireDatabase } from './http/database-gate.js';
import { rateLimitFor } from './http/rate-limit.js';
import { checkResponses } from './http/response-check.js';

export function designerDir(configured?: string): string | undefined {
  const dir = configured ? resolve(configured) : join(__dirname, '..', '..', 'designer', 'dist');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

export function createApp(ctx: ApiContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    pinoHttp({
      logger: ctx.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id =
          typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      // Keys and cookies never reach the logs.
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-api-key"]',
          'res.headers["set-cookie"]',
        ],
        censor: '[redacted]',
      },
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          styleSrc: ["'self'", "'unsafe-inline'"],
          scriptSrc: ["'self'"],
        },
      },
    }),
  );
  // Tests check every JSON answer against @cairn/contract, so a handler cannot drift from its schema.
  if (ctx.config.CAIRN_CHECK_RESPONSES ?? ctx.config.NODE_ENV === 'test')
    app.use(checkResponses(ctx.logger));
  app.use(healthRoutes(ctx));
  // Limits per presented key, counted before the key is verified, so a flood is refused before any database work.
  const ingestLimit = ctx.config.CAIRN_RATE_LIMIT_INGEST_PER_MINUTE;
  app.use(
    '/v1',
    rateLimitFor({
      name: 'ingestion (/v1)',
      perMinute: ingestLimit,
      setting: 'CAIRN_RATE_LIMIT_INGEST_PER_MINUTE',
      byKey: true,
      advice: 'send events in batches (POST /v1/batch) or as a bulk import (POST /api/v1/imports)',
    }),
  );
  app.use(
    '/t',
    rateLimitFor({
      name: 'tracking links (/t)',
      perMinute: ingestLimit,
      setting: 'CAIRN_RATE_LIMIT_INGEST_PER_MINUTE',
      byKey: false,
      advice: 'slow down',
    }),
  );
  app.use(
    '/api/v1',
    rateLimitFor({
      name: 'the management API (/api/v1)',
      perMinute: ctx.config.CAIRN_RATE_LIMIT_API_PER_MINUTE,
      setting: 'CAIRN_RATE_LIMIT_API_PER_MINUTE',
      byKey: true,
      advice: 'spread the requests out or use list endpoints with a larger page size',
    }),
  );
  app.use(docsRoutes());
  app.use(['/v1', '/api/v1'], requireDatabase(ctx));
  app.use(ingestRoutes(ctx));
  app.use('/t', trackingRoutes(ctx));
  app.use('/v1/in-app', inAppRoutes(ctx));
  app.use('/api/v1', managementRoutes(ctx));

  const designer = designerDir(ctx.config.CAIRN_DESIGNER_DIR);
  if (designer) {
    app.use(express.static(designer, { index: 'index.html', maxAge: '1h' }));
    // Client-side routes of the designer fall back to its index.html.
    app.get(/^\/(journeys|segments|contacts|settings|signin)(\/.*)?$/, (_req, res) =>
      res.sendFile(join(designer, 'index.html')),
    );
  }
  app.use(notFoundHandler);
  app.use(problemHandler);
  return app;
}
