/**
 * Mail clients drop scripts and event handlers, so the simulation's email preview does too. The preview's
 * iframe is sandboxed and blocks whatever this misses; removing them first keeps the browser from reporting
 * each blocked attempt. It works on the text because parsing the HTML (DOMParser, <template>) would itself
 * trip the designer's Content-Security-Policy on every inline handler.
 */
export function withoutScripts(html: string): string {
  return html
    .replace(/<script\b[\s\S]*?<\/script\s*>/gi, '')
    .replace(/<\/?(?:script|iframe|object|embed)\b[^>]*>/gi, '')
    .replace(/<[a-z][^>]*>/gi, (tag) =>
      tag
        .replace(/\s+on[a-z]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)/gi, '')
        .replace(/\s+(?:href|src)\s*=\s*(["']?)\s*javascript:[^"'\s>]*\1/gi, ''),
    );
}
