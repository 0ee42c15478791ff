import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startServer, startupMessage } from './boot';
import { ConfigError } from '../config/load';
import { setRuntime } from './runtime';

describe('start-up', () => {
  const dirs: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    setRuntime(undefined);
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('says a config error in one line', () => {
    const m = startupMessage(
      new ConfigError('Fulcrum config /x is invalid:\n  clusters[0].name: bad\n  pollIntervalMs: low'),
    );
    expect(m).toBe('fulcrum: Fulcrum config /x is invalid: clusters[0].name: bad; pollIntervalMs: low');
    expect(startupMessage(new Error('boom\nstack'))).toBe('fulcrum: cannot start: boom stack');
  });

  // Every kind of bad config stops the server with one line on stderr and exit code 1.
  it.each([
    ['a missing file', null, /not found: set FULCRUM_CONFIG/],
    ['invalid YAML', 'clusters: [', /invalid YAML/],
    ['a schema error', 'clusters: []\n', /clusters: list at least one cluster/],
    ['an alias bomb', aliasBomb(), /alias/],
  ])('exits at start on %s', (_what, text, message) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-boot-'));
    dirs.push(dir);
    const file = path.join(dir, 'fulcrum.yaml');
    if (text !== null) writeFileSync(file, text);
    vi.stubEnv('FULCRUM_CONFIG', file);
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(process, 'once').mockImplementation((() => process) as never);
    vi.spyOn(process, 'on').mockImplementation((() => process) as never);
    startServer();
    expect(exit).toHaveBeenCalledWith(1);
    expect(err).toHaveBeenCalledTimes(1);
    const line = String(err.mock.calls[0][0]);
    expect(line).toMatch(/^fulcrum: /);
    expect(line).not.toContain('\n');
    expect(line).toMatch(message);
  });
});

/** Nine levels of ten aliases each: 10^9 nodes if expanded. */
function aliasBomb(): string {
  const lines = ['a0: &a0 [x]'];
  for (let i = 1; i <= 9; i++) {
    const refs = Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ');
    lines.push(`a${i}: &a${i} [${refs}]`);
  }
  lines.push('clusters: *a9');
  return `${lines.join('\n')}\n`;
}
