import { actionKey, validateActionConfig } from './define.js';
import { actionManifest } from './manifest.js';
import type { ActionCategory, ActionDefinition, ActionManifest, ConfigProblem } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyActionDefinition = ActionDefinition<any, any>;

/** Shape the journey validator in @cairn/core asks for (its ActionCatalogEntry). */
export interface ActionCatalogEntry {
  outputs: string[];
  validateConfig(config: unknown): ConfigProblem[];
  category?: ActionCategory;
}

function looksLikeActionDefinition(value: unknown): value is AnyActionDefinition {
  const v = value as Partial<ActionDefinition> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.type === 'string' &&
    typeof v.version === 'number' &&
    typeof v.run === 'function' &&
    typeof v.configSchema === 'object' &&
    Array.isArray(v.outputs)
  );
}

/**
 * All actions the worker can run, keyed by `type@version`. Several versions of one type live
 * side by side because a published journey keeps the version it was built with.
 */
export class ActionRegistry {
  private readonly byKey = new Map<string, AnyActionDefinition>();

  constructor(definitions: readonly AnyActionDefinition[] = []) {
    for (const def of definitions) this.register(def);
  }

  register(def: AnyActionDefinition): this {
    if (!looksLikeActionDefinition(def)) {
      throw new Error(
        'register: expected a definition made by defineAction({ type, version, configSchema, outputs, run, ... })',
      );
    }
    const key = actionKey(def);
    if (this.byKey.has(key)) {
      throw new Error(
        `register: ${key} is already registered; publish a changed action as version ${this.latestVersion(def.type) + 1}`,
      );
    }
    this.byKey.set(key, def);
    return this;
  }

  has(type: string, version: number): boolean {
    return this.byKey.has(actionKey({ type, version }));
  }

  find(type: string, version: number): AnyActionDefinition | undefined {
    return this.byKey.get(actionKey({ type, version }));
  }

  /** Throws a message that lists what is registered, since a missing action usually means a missing package. */
  get(type: string, version: number): AnyActionDefinition {
    const def = this.find(type, version);
    if (def) return def;
    const versions = this.versions(type);
    throw new Error(
      versions.length > 0
        ? `unknown action ${type}@${version}; registered versions of ${type}: ${versions.join(', ')}`
        : `unknown action type "${type}"; is the package that provides it listed in CAIRN_ACTION_PACKAGES?`,
    );
  }

  versions(type: string): number[] {
    return [...this.byKey.values()]
      .filter((d) => d.type === type)
      .map((d) => d.version)
      .sort((a, b) => a - b);
  }

  latestVersion(type: string): number {
    return this.versions(type).at(-1) ?? 0;
  }

  definitions(): AnyActionDefinition[] {
    return [...this.byKey.values()].sort(
      (a, b) => a.type.localeCompare(b.type) || a.version - b.version,
    );
  }

  manifests(): ActionManifest[] {
    return this.definitions().map((d) => actionManifest(d));
  }

  validateConfig(type: string, version: number, config: unknown): ConfigProblem[] {
    const def = this.find(type, version);
    if (!def) {
      return [
        {
          path: '',
          message: `unknown action ${type}@${version}; choose one of: ${this.definitions().map(actionKey).join(', ') || '(none registered)'}`,
        },
      ];
    }
    return validateActionConfig(def, config);
  }

  /** Adapter for @cairn/core's journey validator: `validateJourney(def, registry.catalog())`. */
  catalog(): (type: string, version: number) => ActionCatalogEntry | undefined {
    return (type, version) => {
      const def = this.find(type, version);
      if (!def) return undefined;
      return {
        outputs: def.outputs.map((o) => o.name),
        validateConfig: (config: unknown) => validateActionConfig(def, config),
        category: def.category,
      };
    };
  }

  /**
   * Registers every action exported by the named packages (CAIRN_ACTION_PACKAGES). A package exports
   * an array of definitions as its default export or as `actions`.
   */
  loadActionPackages(
    moduleNames: readonly string[],
    load: (name: string) => unknown = defaultRequire,
  ): AnyActionDefinition[] {
    const added: AnyActionDefinition[] = [];
    for (const name of moduleNames) {
      let mod: unknown;
      try {
        mod = load(name);
      } catch (error) {
        throw new Error(
          `CAIRN_ACTION_PACKAGES: cannot load "${name}" (${(error as Error).message}); install it next to the worker`,
          { cause: error },
        );
      }
      const list = actionsExportedBy(mod);
      if (!list) {
        throw new Error(
          `CAIRN_ACTION_PACKAGES: "${name}" must export an array of defineAction() results as its default export or as "actions"`,
        );
      }
      list.forEach((def, i) => {
        if (!looksLikeActionDefinition(def)) {
          throw new Error(
            `CAIRN_ACTION_PACKAGES: "${name}" actions[${i}] is not a defineAction() result`,
          );
        }
        this.register(def);
        added.push(def);
      });
    }
    return added;
  }
}

function actionsExportedBy(mod: unknown): unknown[] | undefined {
  const m = mod as { default?: unknown; actions?: unknown } | null;
  if (Array.isArray(m)) return m;
  if (m && Array.isArray(m.default)) return m.default;
  if (m && Array.isArray(m.actions)) return m.actions;
  const inner = m?.default as { actions?: unknown } | undefined;
  if (inner && Array.isArray(inner.actions)) return inner.actions;
  return undefined;
}

// Resolve from the process's working directory so packages installed next to the app are found.
function defaultRequire(name: string): unknown {
  const resolved = require.resolve(name, { paths: [process.cwd(), __dirname] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- package names come from config at run time
  return require(resolved);
}
