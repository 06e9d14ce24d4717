import type { JourneyNodeKind as JourneyKind } from '@cairn/core';

// Glyphs from the basic symbol blocks, so they render with the fonts every Linux desktop and headless Chromium ship.
const KIND_ICONS: Record<JourneyKind, string> = {
  trigger: '⚡',
  delay: '◷',
  waitUntil: '◴',
  waitFor: '◔',
  branch: '⋔',
  multiSplit: '☰',
  randomSplit: '⚄',
  action: '✉',
  goal: '◎',
  exit: '■',
};
export const kindIcon = (kind: JourneyKind) => KIND_ICONS[kind];

// Manifest icon names (lucide-style) → glyphs from the same blocks; unknown names get the generic action glyph.
const ACTION_ICONS: Record<string, string> = {
  mail: '✉',
  webhook: '⇄',
  'message-square': '▤',
  'user-pen': '✎',
  play: '▷',
  square: '□',
};
export const actionIcon = (icon: string | undefined) =>
  (icon !== undefined ? ACTION_ICONS[icon] : undefined) ?? KIND_ICONS.action;
