import type { Fix } from '@/lib/types';
import { CopyButton } from './CopyButton';

const FORMAT_LABEL: Record<Fix['format'], string> = {
  haproxy: 'HAProxy config',
  nginx: 'NGINX config',
  shell: 'shell',
  'etcd-flags': 'etcd flags',
  text: 'text',
  yaml: 'YAML',
};

/** A fix to paste: its title and format, the text with a copy button, why and its risk. */
export function FixBlock({ fix, prefix = 'Fix: ', testId }: { fix: Fix; prefix?: string; testId?: string }) {
  return (
    <section data-testid={testId} className="rounded-md border border-slate-200 dark:border-slate-700">
      <div className="flex items-center justify-between gap-2 border-b border-slate-200 px-3 py-1.5 dark:border-slate-700">
        <span className="text-sm font-semibold">
          {prefix}
          {fix.title}{' '}
          <span className="font-normal text-slate-500 dark:text-slate-400">({FORMAT_LABEL[fix.format]})</span>
        </span>
        <CopyButton text={fix.body} />
      </div>
      <pre className="overflow-x-auto bg-slate-50 px-3 py-2 font-mono text-xs leading-relaxed dark:bg-slate-950">
        <code>{fix.body}</code>
      </pre>
      <dl className="grid grid-cols-[auto_1fr] gap-x-2 px-3 py-2 text-xs">
        <dt className="font-semibold">Why</dt>
        <dd>{fix.why}</dd>
        <dt className="font-semibold">Risk</dt>
        <dd>{fix.risk}</dd>
      </dl>
    </section>
  );
}
