/** An action's options, or a function that reads them at first use (so env is read at run time, not at import). */
export type Lazy<T> = T | (() => T);

export const resolveLazy = <T>(value: Lazy<T>): T =>
  typeof value === 'function' ? (value as () => T)() : value;
