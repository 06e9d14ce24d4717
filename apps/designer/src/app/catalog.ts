import type { RJSFSchema } from '@rjsf/utils';
import type { ActionCatalogEntry } from '@cairn/core';
import type { ActionManifest } from '../api/client.js';
import { schemaErrors } from './forms/json-schema-validator.js';

export type DesignerCatalogEntry = ActionCatalogEntry & {
  outputLabels: Record<string, string>;
  manifest: ActionManifest;
};

/** Turns the API's action manifests into the graph's ActionCatalog; config is checked against the manifest's JSON Schema. */
export type DesignerCatalog = (type: string, version: number) => DesignerCatalogEntry | undefined;

export function catalogFromManifests(manifests: ActionManifest[]): DesignerCatalog {
  const entries = new Map<string, DesignerCatalogEntry>();
  for (const manifest of manifests) {
    entries.set(`${manifest.type}@${manifest.version}`, {
      manifest,
      outputs: manifest.outputs.map((o) => o.name),
      category: manifest.category,
      outputLabels: Object.fromEntries(manifest.outputs.map((o) => [o.name, o.label ?? o.name])),
      validateConfig: (config) =>
        schemaErrors(manifest.configJsonSchema as RJSFSchema, config ?? {}).map((e) => ({
          path: e.path.join('.'),
          message: e.message,
        })),
    });
  }
  return (type: string, version: number) => entries.get(`${type}@${version}`);
}

/** Latest version of each action type, for the palette. */
export function latestManifests(manifests: ActionManifest[]): ActionManifest[] {
  const latest = new Map<string, ActionManifest>();
  for (const m of manifests)
    if ((latest.get(m.type)?.version ?? -1) < m.version) latest.set(m.type, m);
  return [...latest.values()].sort((a, b) => a.title.localeCompare(b.title));
}
