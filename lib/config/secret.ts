import { inspect } from 'node:util';

/**
 * A value that must stay on the server: passwords, tokens, TLS keys. It prints and serialises
 * as "[redacted]" so a log line, a JSON response or a snapshot can't carry it by accident;
 * only `reveal()` gives the value, at the one place that hands it to a client library.
 */
export class Secret<T = string> {
  readonly #value: T;
  constructor(value: T) {
    this.#value = value;
  }
  reveal(): T {
    return this.#value;
  }
  toJSON(): string {
    return '[redacted]';
  }
  toString(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}
