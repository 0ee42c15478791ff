import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePromText } from './promtext';

const fixture = readFileSync(path.join(__dirname, '../../test/fixtures/etcd-3.4.23-single-metrics.txt'), 'utf8');

describe('parsePromText', () => {
  it('reads names, labels with escapes, special values and timestamps', () => {
    const text = [
      '# HELP x_total help text',
      '# TYPE x_total counter',
      'x_total{a="1",b="q\\"uo\\\\te\\n"} 42',
      'y 3.5 1700000000000',
      'z{le="+Inf"} +Inf',
      'n NaN',
      'm{} -Inf',
      '',
    ].join('\n');
    const r = parsePromText(text);
    expect(r.malformed).toBe(0);
    expect(r.samples).toHaveLength(5);
    expect(r.samples[0]).toEqual({ name: 'x_total', labels: { a: '1', b: 'q"uo\\te\n' }, value: 42 });
    expect(r.samples[1].value).toBe(3.5);
    expect(r.samples[2]).toMatchObject({ labels: { le: '+Inf' }, value: Infinity });
    expect(Number.isNaN(r.samples[3].value)).toBe(true);
    expect(r.samples[4].value).toBe(-Infinity);
  });

  it('counts malformed lines and keeps going', () => {
    const r = parsePromText('ok 1\n9bad 2\nbroken{a="x 3\nnovalue\nok2 2\n');
    expect(r.samples.map((s) => s.name)).toEqual(['ok', 'ok2']);
    expect(r.malformed).toBe(3);
  });

  it('skips unwanted families before parsing their labels', () => {
    const r = parsePromText(fixture, (n) => n === 'grpc_server_started_total');
    expect(r.samples.length).toBeGreaterThan(10);
    expect(r.samples.every((s) => s.name === 'grpc_server_started_total')).toBe(true);
  });

  it('parses a real etcd 3.4 /metrics page without a malformed line', () => {
    const r = parsePromText(fixture);
    expect(r.malformed).toBe(0);
    expect(r.samples.length).toBeGreaterThan(1500);
  });
});
