/** How a contact is named in lists: first and last name, else name, else email, else id. */
export function contactName(c: { id: string; traits: Record<string, unknown> }): string {
  const t = c.traits;
  const name = [t['firstName'] ?? t['first_name'], t['lastName'] ?? t['last_name']]
    .filter((x) => typeof x === 'string')
    .join(' ');
  return (
    name ||
    (typeof t['name'] === 'string' ? t['name'] : '') ||
    (typeof t['email'] === 'string' ? t['email'] : '') ||
    c.id
  );
}
