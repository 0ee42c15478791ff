// A URL in the config: http(s) only, no credentials in it (they come from env vars).
import { z } from 'zod';

/**
 * An http(s) URL without credentials; `what` names it in the errors, `credentials` says where its
 * credentials go instead.
 */
export function httpUrl(what: string, credentials = 'use the auth section (passwords come from env vars)') {
  return z.string().superRefine((s, ctx) => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `expected an http(s) URL for ${what}, got ${JSON.stringify(s).slice(0, 80)}`,
      });
      return;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `expected http:// or https:// for ${what}, got ${u.protocol}` });
    }
    if (u.username || u.password) {
      ctx.addIssue({
        code: 'custom',
        message: `credentials in the URL are not allowed for ${what}: ${credentials}`,
      });
    }
  });
}
