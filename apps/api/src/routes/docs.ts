import { Router, type Application } from 'express';
import {
  buildOpenApiDocument,
  type JsonSchema,
  type OpenApiDocument,
  type OpenApiOperation,
} from '../openapi.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Every piece of text that reaches the page goes through here: summaries and schemas come from code, but still. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const AUTH_LABELS: Record<string, string> = {
  writeKey: 'Write key (HTTP Basic username)',
  writeKeyBearer: 'Write key (Bearer)',
  adminKey: 'Admin key (Bearer)',
};

function anchor(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

function schemaBlock(schema: JsonSchema): string {
  const ref = typeof schema.$ref === 'string' ? schema.$ref : undefined;
  const name = ref?.replace('#/components/schemas/', '');
  const link = name
    ? `<p>Schema: <a href="#schema-${escapeHtml(anchor(name))}">${escapeHtml(name)}</a></p>`
    : '';
  return `${link}<pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`;
}

/** A JSON example pretty-printed; a text one (CSV, NDJSON, HTML) as it is sent. */
function exampleBlock(example: unknown): string {
  if (example === undefined) return '';
  const text = typeof example === 'string' ? example : JSON.stringify(example, null, 2);
  return `<p>Example:</p><pre class="example">${escapeHtml(text)}</pre>`;
}

function operationSection(
  path: string,
  method: string,
  op: OpenApiOperation,
  doc: OpenApiDocument,
): string {
  const auth =
    op.security.length === 0
      ? 'None'
      : op.security
          .map((s) =>
            Object.keys(s)
              .map((k) => AUTH_LABELS[k] ?? k)
              .join(' + '),
          )
          .join(' or ');
  const params =
    op.parameters.length === 0
      ? ''
      : `<table><thead><tr><th>Parameter</th><th>In</th><th>Required</th><th>Schema</th></tr></thead><tbody>${op.parameters
          .map(
            (p) =>
              `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code></td></tr>`,
          )
          .join('')}</tbody></table>`;
  let body = '';
  if (op.requestBody) {
    body = Object.entries(op.requestBody.content)
      .map(([type, media]) => {
        const ref =
          typeof media.schema.$ref === 'string'
            ? media.schema.$ref.replace('#/components/schemas/', '')
            : undefined;
        // Show the body's own schema inline; nested components stay links to the Schemas section.
        const inline = ref ? doc.components.schemas[ref] : undefined;
        return `<h4>Body <code>${escapeHtml(type)}</code></h4>${op.requestBody?.description ? `<p>${escapeHtml(op.requestBody.description)}</p>` : ''}${exampleBlock(media.example)}${schemaBlock(media.schema)}${inline ? `<pre>${escapeHtml(JSON.stringify(inline, null, 2))}</pre>` : ''}`;
      })
      .join('');
  }
  const responses = Object.keys(op.responses).join(', ');
  const success = Object.entries(op.responses).find(([status]) => /^[23]/.test(status));
  const answer = success
    ? Object.entries(
        (success[1] as { content?: Record<string, { schema: JsonSchema; example?: unknown }> })
          .content ?? {},
      )
        .map(([type, media]) => {
          const ref =
            typeof media.schema.$ref === 'string'
              ? media.schema.$ref.replace('#/components/schemas/', '')
              : undefined;
          const inline = ref ? doc.components.schemas[ref] : undefined;
          return `<h4>Answer ${escapeHtml(success[0])} <code>${escapeHtml(type)}</code></h4>${exampleBlock(media.example)}${schemaBlock(media.schema)}${inline ? `<pre>${escapeHtml(JSON.stringify(inline, null, 2))}</pre>` : ''}`;
        })
        .join('') || `<h4>Answer ${escapeHtml(success[0])}</h4><p>No content.</p>`
    : '';
  return `<section class="op" id="${escapeHtml(anchor(`${method} ${path}`))}">
<h3><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h3>
<p>${escapeHtml(op.summary)}</p>
<p><strong>Auth:</strong> ${escapeHtml(auth)}</p>
${params}${body}${answer}
<p><strong>Responses:</strong> ${escapeHtml(responses)} (errors are <a href="#schema-problem">Problem</a>, application/problem+json)</p>
</section>`;
}

/** The document as one server-rendered page: no scripts, so it works under the API's `script-src 'self'` CSP. */
export function renderDocsPage(doc: OpenApiDocument): string {
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags[0] ?? 'Other';
      const list = byTag.get(tag) ?? [];
      list.push(operationSection(path, method, op, doc));
      byTag.set(tag, list);
    }
  }
  const tagSections = doc.tags
    .map((tag) => {
      const ops = byTag.get(tag.name);
      if (!ops) return '';
      return `<section class="tag" id="tag-${escapeHtml(anchor(tag.name))}"><h2>${escapeHtml(tag.name)}</h2>${tag.description ? `<p>${escapeHtml(tag.description)}</p>` : ''}${ops.join('\n')}</section>`;
    })
    .join('\n');
  const nav = doc.tags
    .map((t) => `<li><a href="#tag-${escapeHtml(anchor(t.name))}">${escapeHtml(t.name)}</a></li>`)
    .join('');
  const schemas = Object.entries(doc.components.schemas)
    .map(
      ([name, schema]) =>
        `<section id="schema-${escapeHtml(anchor(name))}"><h3>${escapeHtml(name)}</h3><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info.title)} ${escapeHtml(doc.info.version)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
pre{background:#f5f5f5;padding:.75rem;overflow:auto;max-height:30rem;font-size:.8rem}
pre.example{background:#eef6ee}
.op{border-top:1px solid #ddd;padding:.5rem 0}
.method{display:inline-block;min-width:4rem;text-align:center;border-radius:4px;color:#fff;background:#666;padding:0 .3rem;font-size:.85rem}
.get{background:#2b6cb0}.post{background:#2f855a}.put{background:#b7791f}.delete{background:#c53030}.patch{background:#6b46c1}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;font-size:.85rem}
</style></head><body>
<h1>${escapeHtml(doc.info.title)} <small>${escapeHtml(doc.info.version)}</small></h1>
<p>${escapeHtml(doc.info.description)} The machine-readable document is at <a href="/openapi.json">/openapi.json</a>.</p>
<nav><ul>${nav}<li><a href="#schemas">Schemas</a></li></ul></nav>
${tagSections}
<section id="schemas"><h2>Schemas</h2>${schemas}</section>
</body></html>`;
}

/**
 * GET /openapi.json and GET /docs, public. Built on first request from the app's route table, when
 * every router is mounted, and cached: routes do not change while the process runs.
 */
export function docsRoutes(version?: string): Router {
  const router = Router();
  let cached: { doc: OpenApiDocument; json: string; html: string } | undefined;
  const built = (app: Application) => {
    if (!cached) {
      const doc = buildOpenApiDocument(app, { version });
      cached = { doc, json: JSON.stringify(doc), html: renderDocsPage(doc) };
    }
    return cached;
  };
  router.get('/openapi.json', (req, res) => {
    res.type('application/json').send(built(req.app).json);
  });
  router.get('/docs', (req, res) => {
    res.type('html').send(built(req.app).html);
  });
  return router;
}
