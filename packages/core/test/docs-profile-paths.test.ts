// Every profile path the docs name must exist on the profile: a reader copies them into waits and templates.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROFILE_ROOT_FIELDS, checkProfilePath } from '../src/profile/paths';

const repo = join(__dirname, '..', '..', '..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

const DOTTED = /^(?:contact\.)?(profile\.)?([A-Za-z_]\w*(?:\.[A-Za-z_*]\w*|\[[^\]]*\])+)$/;

/** A first segment one letter off a profile field (`purchase` for `purchases`) is a typo of it, not another name. */
function looksLikeProfileRoot(first: string): boolean {
  return PROFILE_ROOT_FIELDS.some(
    (root) =>
      root === first ||
      (Math.abs(root.length - first.length) === 1 &&
        (root.startsWith(first) || first.startsWith(root))),
  );
}

/** Profile paths named in one markdown file: `code spans`, `.field` continuing the last path on the line, Liquid reads. */
function profilePathsIn(text: string): { path: string; line: number }[] {
  const found: { path: string; line: number }[] = [];
  text.split('\n').forEach((lineText, index) => {
    const line = index + 1;
    let parent: string | undefined;
    for (const [, span] of lineText.matchAll(/`([^`]+)`/g)) {
      const continued = /^\.([A-Za-z_]\w*)$/.exec(span!);
      if (continued && parent !== undefined) {
        found.push({ path: `${parent}.${continued[1]}`, line });
        continue;
      }
      const m = DOTTED.exec(span!.trim());
      if (!m) continue;
      const path = m[2]!;
      const first = path.split(/[.[]/)[0]!;
      if (m[1] === undefined && !looksLikeProfileRoot(first)) continue;
      found.push({ path, line });
      parent = path.replace(/(\.[A-Za-z_]\w*|\[[^\]]*\])$/, '');
    }
    for (const [, path] of lineText.matchAll(
      /contact\.profile\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[[^\]]*\])*)/g,
    ))
      found.push({ path: path!, line });
  });
  return found;
}

describe('profile paths named in the docs', () => {
  const files = [join(repo, 'README.md'), ...markdownFiles(join(repo, 'docs'))];
  const named = files.flatMap((file) =>
    profilePathsIn(readFileSync(file, 'utf8')).map((p) => ({ ...p, file: relative(repo, file) })),
  );

  it('finds the paths the profile docs list (the scan itself works)', () => {
    const paths = named.map((n) => n.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'purchases.predictedNextOrderAt',
        'events[name].firstAt',
        'purchases.products[id]',
        'email.sent',
      ]),
    );
  });

  it('each exists on the profile', () => {
    const wrong = named.flatMap(({ file, line, path }) => {
      const check = checkProfilePath(path);
      return check.ok ? [] : [`${file}:${line}: ${check.message}`];
    });
    expect(wrong).toEqual([]);
  });

  it('would catch the typo that once sent reorder reminders at once', () => {
    expect(profilePathsIn('until `purchase.predictedNextOrderAt` minus 14 days')).toEqual([
      { path: 'purchase.predictedNextOrderAt', line: 1 },
    ]);
    expect(checkProfilePath('purchase.predictedNextOrderAt')).toMatchObject({
      ok: false,
      suggestion: 'purchases.predictedNextOrderAt',
    });
  });
});
