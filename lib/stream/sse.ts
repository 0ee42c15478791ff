// Server-Sent Events: the full state on connect, then one delta per tick (a cluster's poll, or
// the fleet's tick). Each event is encoded once and the same bytes go to every subscriber.
// Each client has a small bounded queue; a client that can't keep up loses deltas, not memory:
// it is sent the full current state as soon as it has room again. A named `heartbeat` event
// (`data: {"t": server ms}`) goes out every heartbeatMs: EventSource never hands comment lines
// to scripts, so a browser can only count the server as alive from a named event.
import type { StreamMessage } from '../engine/cluster';
import type { ClusterState } from '../types';
import { MAX_HEARTBEAT_MS } from './freshness';

export const SSE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};

/** Per-client bounds: how many streams one client may hold at once, and how long any one lasts. */
export interface StreamLimits {
  /** The key the client is counted by (lib/auth/client.ts clientKey). */
  client: string;
  maxPerClient: number;
  /** Closed after this long (±10 %, so a crowd does not reconnect at once); EventSource reconnects by itself. */
  maxAgeMs: number;
}

/** The config's stream bounds (server.maxStreamsPerClient, server.maxStreamAgeMs) for one client. */
export function streamLimits(
  server: { maxStreamsPerClient: number; maxStreamAgeMs: number },
  client: string,
): StreamLimits {
  return { client, maxPerClient: server.maxStreamsPerClient, maxAgeMs: server.maxStreamAgeMs };
}

export interface StreamOptions {
  /** How often `event: heartbeat` goes out (default 15 s): a browser counts it as the server being alive. */
  heartbeatMs?: number;
  limits?: StreamLimits;
  /** Chunks queued per client before it counts as slow. */
  queueChunks?: number;
  onDrop?: () => void;
  onOpen?: () => void;
  onClose?: () => void;
}

const encoder = new TextEncoder();

export function sseEvent(event: string, data: unknown, id?: number): Uint8Array {
  return sseEventJson(event, JSON.stringify(data), id);
}

/** An event whose data is JSON text already (JSON has no raw newlines: one data line is enough). */
export function sseEventJson(event: string, json: string, id?: number): Uint8Array {
  return encoder.encode(`event: ${event}\n${id !== undefined ? `id: ${id}\n` : ''}data: ${json}\n\n`);
}

/** What a stream serves: a hub of messages, the full state, and each message as SSE bytes. */
export interface SseFeed<M> {
  hub: { subscribe(fn: (msg: M) => void): (() => void) | null };
  /** The full state as one encoded event: sent on connect and when a slow client has room again. */
  full(): Uint8Array;
  /** A message as encoded bytes (the same bytes for every subscriber), or what to do instead. */
  event(msg: M): Uint8Array | 'resync' | 'close';
  /** 503 message when the hub is full. */
  busy: string;
}

const encodedOnce = new WeakMap<object, Uint8Array>();

/** Encodes a hub message once: every subscriber gets the same object, so they share the bytes. */
export function encodeOnce(msg: object, encode: () => Uint8Array): Uint8Array {
  let b = encodedOnce.get(msg);
  if (!b) {
    b = encode();
    encodedOnce.set(msg, b);
  }
  return b;
}

/** What a cluster stream reads from its engine. */
export interface StreamSource {
  hub: SseFeed<StreamMessage>['hub'];
  /** The state to start with, the same object until it changes (its encoding is shared). */
  streamState(): ClusterState;
}

/** One cluster's stream: `event: state` (current state, recent frames), then `event: delta` per poll. */
export function clusterFeed(engine: StreamSource): SseFeed<StreamMessage> {
  return {
    hub: engine.hub,
    full() {
      const s = engine.streamState();
      return encodeOnce(s, () => sseEvent('state', s, s.seq));
    },
    event(msg) {
      if (msg.type !== 'delta') return msg.type;
      return encodeOnce(msg, () => sseEvent('delta', msg.delta, msg.delta.seq));
    },
    busy: 'too many open streams for this cluster, try again later',
  };
}

/** The heartbeat event's bytes (its data: the server's clock, for a client that wants the skew). */
export function heartbeatEvent(now: number): Uint8Array {
  return encoder.encode(`event: heartbeat\ndata: {"t":${now}}\n\n`);
}

/** A Response streaming `engine`'s updates until `signal` aborts; 503 when the hub is full. */
export function sseResponse(engine: StreamSource, signal: AbortSignal, opts: StreamOptions = {}): Response {
  return sseStream(clusterFeed(engine), signal, opts);
}

// Open streams per client, across every stream route (each route bundle may load this module
// separately: the counts live on globalThis).
const OPEN = Symbol.for('fulcrum.streamsPerClient');
type Holder = { [OPEN]?: Map<string, number> };
function openPerClient(): Map<string, number> {
  const g = globalThis as Holder;
  g[OPEN] ??= new Map();
  return g[OPEN];
}

/** Streams `client` holds open now. */
export function openStreams(client: string): number {
  return openPerClient().get(client) ?? 0;
}

/** Sent before a stream is closed for its age: reconnect soon (EventSource uses the last retry). */
const RECONNECT_SOON = encoder.encode('retry: 250\n\n');

/** A Response streaming a feed until `signal` aborts; 503 when its hub is full, 429 when the client holds too many. */
export function sseStream<M>(feed: SseFeed<M>, signal: AbortSignal, opts: StreamOptions = {}): Response {
  const heartbeatMs = opts.heartbeatMs ?? MAX_HEARTBEAT_MS;
  const limits = opts.limits;
  if (limits && openStreams(limits.client) >= limits.maxPerClient) {
    return new Response(
      JSON.stringify({
        error: `too many open streams from this client (at most ${limits.maxPerClient}): close some tabs`,
      }),
      {
        status: 429,
        headers: { 'Content-Type': 'application/json', 'Retry-After': '10', 'Cache-Control': 'no-store' },
      },
    );
  }
  let unsubscribe: (() => void) | null = null;
  let heartbeat: NodeJS.Timeout | null = null;
  let ageTimer: NodeJS.Timeout | null = null;
  let counted = false;
  let closed = false;
  let behind = false;

  const cleanup = () => {
    if (closed) return;
    closed = true;
    unsubscribe?.();
    if (heartbeat) clearInterval(heartbeat);
    if (ageTimer) clearTimeout(ageTimer);
    if (counted && limits) {
      const m = openPerClient();
      const n = (m.get(limits.client) ?? 1) - 1;
      if (n > 0) m.set(limits.client, n);
      else m.delete(limits.client);
    }
    opts.onClose?.();
  };

  let controllerRef: ReadableStreamDefaultController<Uint8Array> | null = null;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controllerRef = controller;
        const send = (msg: M) => {
          if (closed) return;
          const ev = feed.event(msg);
          if (ev === 'close') {
            cleanup();
            try {
              controller.close();
            } catch {
              // already closed
            }
            return;
          }
          if (ev === 'resync' || behind || (controller.desiredSize ?? 0) <= 0) {
            // Too slow (or history changed): skip deltas, send the whole state when there is room.
            if (ev !== 'resync') opts.onDrop?.();
            behind = true;
            if ((controller.desiredSize ?? 0) > 0) {
              behind = false;
              controller.enqueue(feed.full());
            }
            return;
          }
          controller.enqueue(ev);
        };
        unsubscribe = feed.hub.subscribe(send);
        if (!unsubscribe) {
          closed = true;
          return;
        }
        opts.onOpen?.();
        if (limits) {
          openPerClient().set(limits.client, openStreams(limits.client) + 1);
          counted = true;
          ageTimer = setTimeout(
            () => {
              if (closed) return;
              try {
                controller.enqueue(RECONNECT_SOON);
                controller.close();
              } catch {
                // already closed
              }
              cleanup();
            },
            limits.maxAgeMs * (0.9 + 0.1 * Math.random()),
          );
          ageTimer.unref?.();
        }
        controller.enqueue(encoder.encode(`retry: 2000\n\n`));
        controller.enqueue(feed.full());
        heartbeat = setInterval(() => {
          if (!closed && (controller.desiredSize ?? 0) > 0) controller.enqueue(heartbeatEvent(Date.now()));
        }, heartbeatMs);
        heartbeat.unref?.();
      },
      pull(controller) {
        if (behind && !closed) {
          behind = false;
          controller.enqueue(feed.full());
        }
      },
      cancel() {
        cleanup();
      },
    },
    { highWaterMark: opts.queueChunks ?? 8 },
  );
  if (!unsubscribe) {
    return new Response(JSON.stringify({ error: feed.busy }), {
      status: 503,
      headers: { 'Content-Type': 'application/json', 'Retry-After': '5' },
    });
  }
  const onAbort = () => {
    cleanup();
    try {
      controllerRef?.close();
    } catch {
      // already closed or errored
    }
  };
  // A client that left while the route was still authorizing it (a reconnect storm) never
  // fires `abort` again: without this its stream would stay subscribed for good.
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return new Response(stream, { headers: SSE_HEADERS });
}
