import type { Express } from 'express';
import type { RoutePolicy } from '../src/http/auth';

export interface RouteEntry {
  method: string;
  path: string;
  /** The role and effect the route declares with requireRole()/publicRoute(), if any. */
  policies: RoutePolicy[];
}

interface Layer {
  rawPath?: string;
  route?: {
    path: string;
    methods: Record<string, boolean>;
    stack?: { handle: { policy?: RoutePolicy } }[];
  };
  handle: { stack?: Layer[] };
}

/** Every route the app serves, read from Express's own router (so a new route is covered automatically). */
export function routeTable(app: Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const policies = (layer.route.stack ?? [])
          .map((l) => l.handle.policy)
          .filter((p): p is RoutePolicy => p !== undefined);
        for (const method of Object.keys(layer.route.methods))
          out.push({ method: method.toUpperCase(), path: prefix + layer.route.path, policies });
      } else if (layer.handle.stack) {
        const mount =
          typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out;
}
