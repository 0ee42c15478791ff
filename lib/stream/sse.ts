// Server-Sent Events for one cluster: the full state on connect, then one delta per poll.
// Each client has a small bounded queue; a client that can't keep up loses deltas, not memory:
// it is sent the full current state as soon as it has room again.
import type { ClusterEngine, StreamMessage } from '../engine/cluster';

export const SSE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};

export interface StreamOptions {
  heartbeatMs?: number;
  /** Chunks queued per client before it counts as slow. */
  queueChunks?: number;
  onDrop?: () => void;
  onOpen?: () => void;
  onClose?: () => void;
}

const encoder = new TextEncoder();

export function sseEvent(event: string, data: unknown, id?: number): Uint8Array {
  const lines = [`event: ${event}`];
  if (id !== undefined) lines.push(`id: ${id}`);
  // JSON has no raw newlines, so one data line is enough.
  lines.push(`data: ${JSON.stringify(data)}`);
  return encoder.encode(`${lines.join('\n')}\n\n`);
}

/** A Response streaming `engine`'s updates until `signal` aborts; 503 when the hub is full. */
export function sseResponse(
  engine: Pick<ClusterEngine, 'hub' | 'state'>,
  signal: AbortSignal,
  opts: StreamOptions = {},
): Response {
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  let unsubscribe: (() => void) | null = null;
  let heartbeat: NodeJS.Timeout | null = null;
  let closed = false;
  let behind = false;

  const cleanup = () => {
    if (closed) return;
    closed = true;
    unsubscribe?.();
    if (heartbeat) clearInterval(heartbeat);
    opts.onClose?.();
  };

  let controllerRef: ReadableStreamDefaultController<Uint8Array> | null = null;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controllerRef = controller;
        const send = (msg: StreamMessage) => {
          if (closed) return;
          if (msg.type === 'close') {
            cleanup();
            try {
              controller.close();
            } catch {
              // already closed
            }
            return;
          }
          if (msg.type === 'resync' || behind || (controller.desiredSize ?? 0) <= 0) {
            // Too slow (or history changed): skip deltas, send the whole state when there is room.
            if (msg.type === 'delta') opts.onDrop?.();
            behind = true;
            if ((controller.desiredSize ?? 0) > 0) {
              behind = false;
              const s = engine.state();
              controller.enqueue(sseEvent('state', s, s.seq));
            }
            return;
          }
          controller.enqueue(sseEvent('delta', msg.delta, msg.delta.seq));
        };
        unsubscribe = engine.hub.subscribe(send);
        if (!unsubscribe) {
          closed = true;
          return;
        }
        opts.onOpen?.();
        controller.enqueue(encoder.encode(`retry: 2000\n\n`));
        const s = engine.state();
        controller.enqueue(sseEvent('state', s, s.seq));
        heartbeat = setInterval(() => {
          if (!closed && (controller.desiredSize ?? 0) > 0)
            controller.enqueue(encoder.encode(`: keep-alive ${Date.now()}\n\n`));
        }, heartbeatMs);
        heartbeat.unref?.();
      },
      pull(controller) {
        if (behind && !closed) {
          behind = false;
          const s = engine.state();
          controller.enqueue(sseEvent('state', s, s.seq));
        }
      },
      cancel() {
        cleanup();
      },
    },
    { highWaterMark: opts.queueChunks ?? 8 },
  );
  if (!unsubscribe) {
    return new Response(JSON.stringify({ error: 'too many open streams for this cluster, try again later' }), {
      status: 503,
      headers: { 'Content-Type': 'application/json', 'Retry-After': '5' },
    });
  }
  signal.addEventListener(
    'abort',
    () => {
      cleanup();
      try {
        controllerRef?.close();
      } catch {
        // already closed or errored
      }
    },
    { once: true },
  );
  return new Response(stream, { headers: SSE_HEADERS });
}
