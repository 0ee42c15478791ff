// Domain errors: what went wrong, in the words of the domain, with no HTTP in them. Services and
// sources throw these; `handle()` (lib/api/respond.ts) is the one place that turns them into
// status codes, so routes need no try/catch and no service imports an HTTP type.

/** The base class: a message that is safe to show to the caller (no secrets, bounded). */
export class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input is malformed or out of range (the message names the field). HTTP 400. */
export class ValidationError extends DomainError {}

/** No credentials were given where they are needed. HTTP 401. */
export class UnauthenticatedError extends DomainError {}

/** Credentials were wrong, expired, or not enough; or a cross-site request was refused. HTTP 403. */
export class ForbiddenError extends DomainError {}

/** The thing asked for does not exist (or may not be revealed). HTTP 404. */
export class NotFoundError extends DomainError {}

/** The request conflicts with the current state. HTTP 409. */
export class ConflictError extends DomainError {}

/** The input is larger than a configured or fixed limit (the message names the limit). HTTP 413. */
export class LimitError extends DomainError {
  constructor(
    message: string,
    readonly limitBytes: number,
  ) {
    super(message);
  }
}

/** Too many requests from this client; try again after `retryAfterS`. HTTP 429. */
export class RateLimitError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message);
  }
}

/** The snapshot store has no room left (disk or filesystem full): nothing was written. HTTP 507. */
export class StorageFullError extends DomainError {}

/** A dependency Fulcrum needs is down (the snapshot store, …). HTTP 503. */
export class UnavailableError extends DomainError {}

/** Stored data failed its own checks (checksum, shape). HTTP 500 with the message. */
export class DataCorruptError extends DomainError {}

/** A byte limit as people read it, and exactly: `20.0 MB (20000000 bytes)`, `65.5 KB (65536 bytes)`. */
export function formatLimit(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB (${bytes} bytes)`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} KB (${bytes} bytes)`;
  return `${bytes} bytes`;
}
