// Ages and clock times as an SRE reads them (see ./format for numbers). Pure. A module of its
// own: the first paint of the fleet page needs these and none of the number formatting.
export const DASH = '—';

/** An age in ms: "0 s", "42 s", "3 min", "1 h 05 min", "2 d 3 h". */
export function formatAge(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 90) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local wall-clock time, 24 h: "14:03:27" (or "14:03" without seconds). */
export function formatClock(t: number, seconds = true): string {
  const d = new Date(t);
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  return seconds ? `${hm}:${pad2(d.getSeconds())}` : hm;
}

/** Local date and time: "2026-11-25 14:03:27". */
export function formatDateTime(t: number): string {
  const d = new Date(t);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${formatClock(t)}`;
}
