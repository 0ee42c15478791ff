// Every route handler of the app, read from app/**/route.ts: its URL pattern, its methods and
// the access each declares through handle(need, …). Tests use it to cover every route (the
// access table, the viewer's 403s, the fuzz suite) and to fail when a route is added untested.
import fs from 'node:fs';
import path from 'node:path';

export interface RouteMethod {
  /** `/api/clusters/[name]/stream` */
  pattern: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The need declared with handle(), or null when the handler does not go through handle(). */
  need: 'public' | 'read' | 'logs' | 'write' | null;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.name === 'route.ts' || e.name === 'route.tsx') out.push(p);
  }
  return out;
}

export function appRoutes(root = process.cwd()): RouteMethod[] {
  const app = path.join(root, 'app');
  const out: RouteMethod[] = [];
  for (const file of walk(app).sort()) {
    const rel = path.relative(app, path.dirname(file)).split(path.sep).join('/');
    const pattern = `/${rel}`.replace(/\/\([^)]*\)/g, '');
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE)\b(.*)/g)) {
      const need = /=\s*handle(?:<[^>]*>)?\(\s*'(public|read|logs|write)'/.exec(m[2])?.[1] ?? null;
      out.push({ pattern, method: m[1] as RouteMethod['method'], need: need as RouteMethod['need'] });
    }
  }
  return out;
}

/** Every page's URL pattern, from the page.tsx files under app/ (`/`, `/clusters/[name]`, ...). */
export function appPages(root = process.cwd()): string[] {
  const app = path.join(root, 'app');
  const pages: string[] = [];
  const visit = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.name === 'page.tsx') {
        const rel = path.relative(app, dir).split(path.sep).join('/');
        pages.push(rel ? `/${rel}`.replace(/\/\([^)]*\)/g, '') : '/');
      }
    }
  };
  visit(app);
  return pages.sort();
}
