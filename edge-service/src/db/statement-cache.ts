import type { Statement } from 'better-sqlite3';
import type { Db } from './database.ts';

/** Distinct SQL texts kept per database; beyond it statements are prepared each time, as before. */
const MAX_CACHED = 128;
const caches = new WeakMap<Db, Map<string, Statement>>();

/**
 * `db.prepare(sql)`, compiled once per database and SQL text. Preparing is several times the cost
 * of running a one-row lookup, and the panel path runs a few per request (the device, the person,
 * the policy): under `npm run load` 500 panels spent more time preparing than querying. For
 * statements used with get/all/run only — never with pluck/raw/expand (they would change the shared
 * statement's mode) — and a statement still busy (an unfinished iterate) is never handed out twice.
 */
export function prepared(db: Db, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const hit = cache.get(sql);
  if (hit && !hit.busy) return hit;
  const statement = db.prepare(sql);
  if (!hit && cache.size < MAX_CACHED) cache.set(sql, statement);
  return statement;
}
