// Small helpers for integration tests: waiting on real processes, reading an SSE body.

export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  intervalMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface SseEvent {
  event: string;
  id: string | null;
  data: unknown;
}

/** Reads `event:`/`data:` blocks from an SSE body; comments and `heartbeat` events are counted, not returned. */
export class SseReader {
  private reader: ReadableStreamDefaultReader<Uint8Array>;
  private buf = '';
  private queue: SseEvent[] = [];
  private dec = new TextDecoder();
  comments = 0;
  heartbeats = 0;

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
  }

  private drain(): void {
    let i: number;
    while ((i = this.buf.indexOf('\n\n')) >= 0) {
      const block = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      let event = 'message';
      let id: string | null = null;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments++;
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (event === 'heartbeat') this.heartbeats++;
      else if (data.length) this.queue.push({ event, id, data: JSON.parse(data.join('\n')) });
    }
  }

  async next(timeoutMs = 10_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no SSE event within ${timeoutMs} ms`);
      let timer: NodeJS.Timeout | undefined;
      const r = await Promise.race([
        this.reader.read(),
        new Promise<never>((_, rej) => {
          timer = setTimeout(() => rej(new Error(`no SSE event within ${timeoutMs} ms`)), left);
        }),
      ]).finally(() => clearTimeout(timer));
      if (r.done) throw new Error('SSE stream ended');
      this.buf += this.dec.decode(r.value, { stream: true });
      this.drain();
    }
    return this.queue.shift()!;
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }
}
