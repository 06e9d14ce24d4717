// Pure, so logic outside the forms (and its tests) can use it without React.

/** Typed values from a text box: numbers and booleans become themselves, the rest stays text. */
export function parseLooseValue(text: string): string | number | boolean {
  if (/^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}
