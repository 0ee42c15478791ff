import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ConfigError, parseConfig } from '../config/load';
import { utcOffsetMinutes } from './config';

const base = (logs: unknown) =>
  YAML.stringify({
    clusters: [
      { name: 'c', endpoints: [{ url: 'http://10.0.0.1:2379', name: 'etcd-1' }, 'http://10.0.0.2:2379'], logs },
    ],
  });

function error(logs: unknown, env: Record<string, string> = {}): string {
  try {
    parseConfig(base(logs), '/etc/fulcrum/fulcrum.yaml', env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('logs config', () => {
  it('resolves relative paths against the config file and keys by name, URL or host:port', () => {
    const c = parseConfig(
      base({
        members: { 'etcd-1': 'logs/etcd-1.log', '10.0.0.2:2379': '/var/log/etcd-2.log*' },
        balancer: '../haproxy.log',
      }),
      '/etc/fulcrum/fulcrum.yaml',
      {},
    );
    expect(c.clusters[0].logs).toMatchObject({
      members: { 'etcd-1': '/etc/fulcrum/logs/etcd-1.log', '10.0.0.2:2379': '/var/log/etcd-2.log*' },
      balancer: '/etc/haproxy.log',
      timezone: 'local',
    });
  });

  it('says clearly what is wrong', () => {
    expect(error({ members: { 'etcd-9': '/x.log' } })).toMatch(
      /clusters\[0\] \(c\)\.logs\.members: "etcd-9" is not a member of this cluster; .*etcd-1 \(http:\/\/10\.0\.0\.1:2379\)/,
    );
    expect(error({ members: { 'etcd-1': '/var/*/etcd.log' } })).toMatch(
      /logs\.members\.etcd-1: wildcards are allowed in the file name only/,
    );
    expect(error({ members: { 'etcd-1': '/var/log/**' } })).toMatch(/"\*\*" is not supported/);
    expect(error({ members: { 'etcd-1': '/a.log', 'http://10.0.0.1:2379': '/b.log' } })).toMatch(
      /name the same member/,
    );
    expect(
      error({
        members: { 'etcd-1': '/a.log' },
        loki: { url: 'http://loki:3100', members: { 'etcd-1': '{job="etcd"}' } },
      }),
    ).toMatch(/both a file .* and a Loki stream/);
    expect(error({ loki: { url: 'http://u:p@loki:3100' } })).toMatch(
      /credentials in the URL are not allowed for logs.loki.url: use bearerTokenEnv/,
    );
    expect(error({ loki: { url: 'loki:3100' } })).toMatch(
      /expected http:\/\/ or https:\/\/ for logs.loki.url, got loki:/,
    );
    expect(error({ loki: { url: 'not a url' } })).toMatch(
      /expected an http\(s\) URL for logs.loki.url, got "not a url"/,
    );
    expect(error({ loki: { url: 'http://loki:3100/?q=1' } })).toMatch(/logs.loki.url takes no query or fragment/);
    expect(error({ loki: { url: 'file:///etc/passwd' } })).toMatch(/expected http:\/\/ or https:\/\//);
    expect(error({ loki: { url: 'http://loki:3100', members: { 'etcd-1': 'job="etcd"' } } })).toMatch(
      /a LogQL stream selector/,
    );
    expect(error({ loki: { url: 'http://loki:3100', members: { 'etcd-1': '{job="etcd"} |= "x"' } } })).toMatch(
      /a LogQL stream selector/,
    );
    expect(error({ loki: { url: 'http://loki:3100', bearerTokenEnv: 'LOKI_TOKEN' } })).toMatch(/LOKI_TOKEN is not set/);
    expect(error({ timezone: 'Europe/Paris' })).toMatch(/local, UTC or an offset/);
    expect(error({ members: {}, bogus: 1 })).toMatch(/bogus/);
  });

  it('reads the timezone', () => {
    expect(utcOffsetMinutes('local')).toBeNull();
    expect(utcOffsetMinutes('UTC')).toBe(0);
    expect(utcOffsetMinutes('+05:30')).toBe(330);
    expect(utcOffsetMinutes('-02:00')).toBe(-120);
  });
});
