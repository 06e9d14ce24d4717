/** How many entries each ring of the event debugger keeps: enough to find a first event, small enough to rewrite whole. */
export const DEBUGGER_LIMITS = { accepted: 200, refused: 100, valueChars: 2048 } as const;
