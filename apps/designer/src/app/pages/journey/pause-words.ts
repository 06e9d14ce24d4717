/** What pausing does, said before it happens: who is inside and what becomes of them. */
export function pauseWords(name: string, inside: number | undefined): string {
  const who =
    inside === undefined
      ? 'Contacts already inside'
      : inside === 0
        ? 'Nobody is inside right now. Contacts who would enter'
        : `${inside.toLocaleString('en-US')} ${inside === 1 ? 'contact is' : 'contacts are'} inside “${name}”. Each`;
  return inside === 0
    ? `${who} are not enrolled while it is paused.`
    : `${who} ${inside === undefined ? 'stop' : 'stops'} before ${inside === undefined ? 'their' : 'its'} next step and ${inside === undefined ? 'wait' : 'waits'} there until you resume; messages already sent stay sent. Nobody new enters while it is paused.`;
}
