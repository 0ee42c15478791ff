/** A fixed-capacity FIFO: pushing past capacity drops the oldest. */
export class Ring<T> {
  private buf: T[] = [];
  private start = 0;
  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`ring capacity must be >= 1, got ${capacity}`);
  }
  get length(): number {
    return this.buf.length;
  }
  push(item: T): void {
    if (this.buf.length < this.capacity) {
      this.buf.push(item);
      return;
    }
    this.buf[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
  }
  /** Oldest first. */
  toArray(): T[] {
    return this.start === 0 ? this.buf.slice() : [...this.buf.slice(this.start), ...this.buf.slice(0, this.start)];
  }
  last(): T | undefined {
    if (this.buf.length === 0) return undefined;
    return this.buf[(this.start + this.buf.length - 1) % this.buf.length];
  }
  /** The newest `n` items, oldest first. */
  tail(n: number): T[] {
    const all = this.toArray();
    return n >= all.length ? all : all.slice(all.length - n);
  }
  clear(): void {
    this.buf = [];
    this.start = 0;
  }
}
