// Next.js proxy (Next 16's name for middleware): every page request passes the access check and
// gets its Content-Security-Policy nonce here (lib/http/pages.ts). Not API routes (they check
// access in handle(); proxying them would buffer request bodies before their bounded readers),
// not static files.
import type { NextRequest } from 'next/server';
import { gatePage } from './lib/http/pages';

export function proxy(req: NextRequest) {
  return gatePage(req);
}

export const config = {
  matcher: ['/((?!api/|_next/static/|_next/image|favicon\\.|manifest\\.webmanifest|icon-|robots\\.txt).*)'],
};
