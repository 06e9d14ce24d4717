/**
 * Maps keyed by what customers send (event names, product ids, categories, traits). They have no prototype,
 * so `__proto__`, `toString` or `constructor` are ordinary keys: on a plain object they read as
 * Object.prototype members and turned counts into NaN.
 */
export function dict<T>(from?: Readonly<Record<string, T>>): Record<string, T> {
  // Object.assign defines `__proto__` as an own key here: a null-prototype target has no setter for it.
  return Object.assign(Object.create(null) as Record<string, T>, from);
}

/** The value stored under `key` itself, never one inherited from Object.prototype. */
export function own<T>(map: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return map !== undefined && Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}
