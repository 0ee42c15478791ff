// Helpers for the logs tests: a cluster config pointing at files, and generated log files.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { parseConfig, type ClusterConfig } from '../config/load';

export function clusterWithLogs(
  dir: string,
  logs: Record<string, unknown>,
  endpoints = 2,
  env: Record<string, string> = {},
): ClusterConfig {
  const text = YAML.stringify({
    clusters: [
      {
        name: 'test',
        endpoints: Array.from({ length: endpoints }, (_, i) => ({
          url: `http://127.0.0.1:${23790 + i}`,
          name: `etcd-${i + 1}`,
        })),
        logs,
      },
    ],
  });
  return parseConfig(text, path.join(dir, 'fulcrum.yaml'), env).clusters[0];
}

/** A zap JSON line like etcd 3.4 writes. */
export function zapLine(t: number, msg: string, level = 'info', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ level, ts: new Date(t).toISOString(), caller: 'etcdserver/server.go:100', msg, ...extra });
}

/**
 * Writes `count` zap lines from t0, `stepMs` apart (several per ms when stepMs < 1), each
 * `i`-th line's message being `line <i>`, plus what `extra(i)` returns. Returns the times.
 */
export function writeZapFile(
  file: string,
  t0: number,
  count: number,
  stepMs: number,
  extra: (i: number) => Record<string, unknown> = () => ({}),
): number[] {
  const fd = fs.openSync(file, 'w');
  const times: number[] = [];
  let buf: string[] = [];
  for (let i = 0; i < count; i++) {
    const t = t0 + Math.floor(i * stepMs);
    times.push(t);
    buf.push(zapLine(t, `line ${i}`, 'info', extra(i)));
    if (buf.length >= 5000) {
      fs.writeSync(fd, `${buf.join('\n')}\n`);
      buf = [];
    }
  }
  if (buf.length) fs.writeSync(fd, `${buf.join('\n')}\n`);
  fs.closeSync(fd);
  return times;
}
