/** Throw for transient trouble (timeouts, 5xx, connection refused): Temporal retries the activity. */
export class RetryableActionError extends Error {
  readonly kind = 'retryable' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryableActionError';
  }
}

/** Throw when retrying cannot help (bad config, rejected by provider): the worker fails it as non-retryable. */
export class PermanentActionError extends Error {
  readonly kind = 'permanent' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentActionError';
  }
}

// Checks `kind` rather than instanceof so errors from a second copy of the SDK (another package's node_modules) still count.
export function isPermanentActionError(error: unknown): error is PermanentActionError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { kind?: unknown }).kind === 'permanent'
  );
}

export function isRetryableActionError(error: unknown): error is RetryableActionError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { kind?: unknown }).kind === 'retryable'
  );
}
