/**
 * Publish/subscribe for one cluster's updates. Bounded: at most `maxSubscribers` listeners;
 * a listener is called synchronously and must not block (the stream layer decides what to do
 * with a slow client). A throwing listener is removed, never allowed to break the publisher.
 */
export class Hub<T> {
  private listeners = new Set<(msg: T) => void>();
  /** Listeners removed because they threw. */
  removedOnError = 0;
  constructor(readonly maxSubscribers: number) {}

  get size(): number {
    return this.listeners.size;
  }

  /** Returns an unsubscribe function, or null when the hub is full. */
  subscribe(fn: (msg: T) => void): (() => void) | null {
    if (this.listeners.size >= this.maxSubscribers) return null;
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  publish(msg: T): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(msg);
      } catch {
        this.listeners.delete(fn);
        this.removedOnError++;
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
