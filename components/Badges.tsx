import type { ClusterStatus, MemberStatus } from '@/lib/types';
import { CLUSTER_STATUS, MEMBER_STATUS } from './styles';

const BASE =
  'inline-flex items-center gap-1.5 rounded-md px-2 py-0.5 text-sm font-semibold ring-1 ring-inset whitespace-nowrap';

export function ClusterStatusBadge({ status, size = 'md' }: { status: ClusterStatus; size?: 'md' | 'lg' }) {
  const t = CLUSTER_STATUS[status];
  return (
    <span
      data-testid="cluster-status"
      data-status={status}
      className={`${BASE} ${t.badge} ${size === 'lg' ? 'px-3 py-1 text-lg' : ''}`}
    >
      <span aria-hidden>{t.icon}</span>
      {t.label}
    </span>
  );
}

export function MemberStatusBadge({ status }: { status: MemberStatus }) {
  const t = MEMBER_STATUS[status];
  return (
    <span className={`${BASE} ${t.badge}`} data-status={status}>
      <span aria-hidden>{t.icon}</span>
      {t.label}
    </span>
  );
}
