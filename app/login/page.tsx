import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { identify } from '@/lib/auth/access';
import { accessContext } from '@/lib/auth/context';
import { localPath } from '@/lib/auth/redirect';
import { getRuntime } from '@/lib/engine/runtime';
import { CARD, MUTED } from '@/components/styles';
import { FIELD, NOTICE, PRIMARY, BUTTON } from '@/components/snapshot/ui';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Log in · Fulcrum', referrer: 'no-referrer' };

const ERRORS: Record<string, string> = {
  wrong: 'That is not an admin or viewer token.',
  missing: 'Enter a token.',
  'too-many': 'Too many wrong tokens from this address: wait a minute.',
};

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** A small login form: the admin token (and an optional name shown as "taken by" on snapshots). */
export default async function LoginPage({ searchParams }: Props) {
  const sp = await searchParams;
  const one = (k: string) => (Array.isArray(sp[k]) ? sp[k][0] : sp[k]) ?? '';
  const next = localPath(one('next')) ?? '/';
  const error = ERRORS[one('error')];
  const access = await identify(await headers(), accessContext(getRuntime()));
  const loggedIn = access.via === 'session' || access.via === 'proxy' || access.via === 'bearer';

  return (
    <main className="mx-auto mt-10 max-w-md">
      <div className={`${CARD} space-y-4 p-6`}>
        <h1 className="text-2xl font-bold">Log in</h1>
        {access.via === 'open' && !access.readRequired && !access.required ? (
          <p className={NOTICE} data-testid="open-access-notice">
            No access control is configured: anyone who can reach this Fulcrum can create, list and delete snapshots.
            Set <code>auth.adminTokenEnv</code> in the config to require an admin token.
          </p>
        ) : loggedIn && access.role ? (
          <>
            <p data-testid="logged-in">
              You are logged in{access.user ? ` as ${access.user}` : ''}{' '}
              {access.role === 'admin'
                ? 'as an admin: you may create snapshots and wall links.'
                : 'as a viewer: you may read, not change anything.'}
            </p>
            {access.via === 'session' && (
              <form method="post" action="/api/auth/logout">
                <input type="hidden" name="next" value="/login" />
                <button type="submit" className={BUTTON}>
                  Log out
                </button>
              </form>
            )}
          </>
        ) : (
          <form method="post" action="/api/auth/login" className="space-y-3" data-testid="login-form">
            <p className={`text-sm ${MUTED}`}>
              {access.readRequired
                ? 'This Fulcrum needs a viewer token to read and the admin token to create, list and delete snapshots.'
                : 'Creating, listing and deleting snapshots needs the admin token.'}{' '}
              Viewing a snapshot needs only its link.
            </p>
            {error && (
              <p
                className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
                role="alert"
                data-testid="login-error"
              >
                {error}
              </p>
            )}
            <input type="hidden" name="next" value={next} />
            <label className="block text-sm font-semibold">
              Token
              <input
                className={`${FIELD} mt-1 font-mono`}
                type="password"
                name="token"
                autoComplete="current-password"
                required
                data-testid="login-token"
              />
            </label>
            <label className="block text-sm font-semibold">
              Your name{' '}
              <span className={`font-normal ${MUTED}`}>(optional, shown as “taken by” on your snapshots)</span>
              <input
                className={`${FIELD} mt-1`}
                name="name"
                maxLength={64}
                autoComplete="name"
                data-testid="login-name"
              />
            </label>
            <button type="submit" className={PRIMARY} data-testid="login-submit">
              Log in
            </button>
          </form>
        )}
      </div>
    </main>
  );
}
