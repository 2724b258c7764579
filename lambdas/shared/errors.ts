/** Base class so callers can tell our failures from library ones with one instanceof. */
export abstract class ClerkSyncError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Missing or invalid configuration: a deployment problem, never retried into success. */
export class ConfigurationError extends ClerkSyncError {
  readonly code = 'CONFIGURATION';
}
