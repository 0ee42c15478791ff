// Server-rendered markup of the log panel: untrusted log text stays text.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { parseLine } from '@/lib/logs/parse';
import { LogPanel } from './LogPanel';

const T = 1_732_528_800_000;
const ctx = { utcOffsetMin: 0, now: T };

describe('LogPanel', () => {
  it('renders markup and escapes from log lines as text, never as HTML', () => {
    const evil = [
      '<script>window.__xss=1</script>',
      '<img src=x onerror="window.__xss=2">',
      '\u001b[31mRED\u001b[0m',
      JSON.stringify({ level: 'warn', ts: new Date(T).toISOString(), msg: '<svg onload=alert(3)> slow fdatasync' }),
    ].map((l) => parseLine(l, 'member', ctx, 'http://a:1'));
    const html = renderToStaticMarkup(
      <LogPanel
        data={{
          lines: evil,
          errors: [{ source: 'member', message: '<b>cannot read</b>' }],
          signalCounts: [{ minute: T, signal: 'slow-fdatasync', count: 1 }],
          hasMore: true,
        }}
        from={T - 60_000}
        to={T + 60_000}
        query={{ q: '', level: '', source: 'both', signals: false }}
        onQueryChange={() => undefined}
        onMore={() => undefined}
      />,
    );
    expect(html).not.toMatch(/<script>window/);
    expect(html).not.toMatch(/<img src=x/);
    expect(html).not.toMatch(/<svg/);
    expect(html).not.toMatch(/<b>cannot/);
    expect(html).toContain('&lt;script&gt;window.__xss=1&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=&quot;window.__xss=2&quot;&gt;');
    expect(html).toContain('␛[31mRED␛[0m');
    expect(html).not.toContain('\u001b');
    // The signal line is highlighted and counted; paging is offered.
    expect(html).toMatch(/data-testid="log-line"[^>]*data-signals="slow-fdatasync"/);
    expect(html).toContain('data-testid="signal-counts" data-count="1"');
    expect(html).toContain('data-testid="log-more"');
  });

  it('filters frozen lines itself when there is no server to ask', () => {
    const lines = ['a info line', 'another'].map((l) => parseLine(l, 'member', ctx, null));
    const html = renderToStaticMarkup(
      <LogPanel
        data={{ lines, errors: [], signalCounts: [], hasMore: false }}
        from={T}
        to={T + 1}
        query={{ q: 'another', level: '', source: 'both', signals: false }}
      />,
    );
    expect((html.match(/data-testid="log-line"/g) ?? []).length).toBe(1);
    expect(html).toContain('<mark');
  });
});
