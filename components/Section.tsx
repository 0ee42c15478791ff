// A titled card of a page (cluster or member view): a heading, an optional muted note on the
// right, and the content.
import { CARD, MUTED } from './styles';

export function Section({
  title,
  right,
  children,
  testId,
}: {
  title: React.ReactNode;
  right?: React.ReactNode;
  children: React.ReactNode;
  testId?: string;
}) {
  return (
    <section className={`${CARD} p-4 2xl:p-5`} data-testid={testId}>
      <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-lg font-bold 2xl:text-xl">{title}</h2>
        {right && <div className={`text-sm ${MUTED}`}>{right}</div>}
      </div>
      {children}
    </section>
  );
}
