// An inline script of ours (a constant, never user input) carrying this request's CSP nonce: the
// page's Content-Security-Policy (lib/http/pages.ts) runs no inline script without it.
import { headers } from 'next/headers';
import { NONCE_HEADER } from '@/lib/http/pages';

export async function InlineScript({ code }: { code: string }) {
  const nonce = (await headers()).get(NONCE_HEADER) ?? undefined;
  // biome-ignore lint/security/noDangerouslySetInnerHtml: a constant script of ours, no user input
  return <script nonce={nonce} dangerouslySetInnerHTML={{ __html: code }} />;
}
