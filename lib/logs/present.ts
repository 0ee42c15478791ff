// What a log reader is shown: every line passes the snapshot scrubber (the config's secrets and
// credential-looking text), and file paths in error texts are for admins only (a viewer learns
// that a source failed, not where the files live).
import { scrubText } from '../snapshots/scrub';
import type { LogLine, LogPage, LogSourceError } from './types';

/** An absolute file path (or glob) in free text: after a start, space, quote, "(" or "="; not a URL's path. */
const PATH_RE = /(^|[\s"'(=])\/(?:[^\s"'(),;:]+)/g;
export const PATH_REDACTED = '[file]';

export function redactPaths(s: string): string {
  return s.replace(PATH_RE, `$1${PATH_REDACTED}`);
}

function line(l: LogLine, secrets: readonly string[]): LogLine {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(l.fields)) fields[k] = scrubText(v, secrets);
  return { ...l, msg: scrubText(l.msg, secrets), raw: scrubText(l.raw, secrets), fields };
}

function problem(e: LogSourceError, secrets: readonly string[], admin: boolean): LogSourceError {
  const m = scrubText(e.message, secrets);
  return { ...e, message: admin ? m : redactPaths(m) };
}

/** The page as the caller may see it. */
export function presentLogPage(page: LogPage, opts: { secrets: readonly string[]; admin: boolean }): LogPage {
  return {
    ...page,
    lines: page.lines.map((l) => line(l, opts.secrets)),
    errors: page.errors.map((e) => problem(e, opts.secrets, opts.admin)),
    ...(page.notes ? { notes: page.notes.map((e) => problem(e, opts.secrets, opts.admin)) } : {}),
  };
}
