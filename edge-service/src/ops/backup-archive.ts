import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import { basename, dirname, join, posix, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { MIGRATIONS } from '../db/migrations.ts';
import { EdgeError } from '../edge-error.ts';
import { makeFolderDurably, syncFolder } from '../fs/durable-write.ts';
import { SECRET_KEY_ENV, SECRET_KEY_FILE } from '../auth/secret-key.ts';
import { EDGE_VERSION } from '../version.ts';

/**
 * `mfp-edge backup` / `restore`: one tar file holding an online snapshot of the database (SQLite's
 * backup API, consistent while the edge writes), the secret key, the TLS files, the page spool and
 * the outbox — everything in the data folder but the database's live files and the bundled
 * simulator's own data. The spool is copied after the snapshot, and every page the snapshot names
 * must be in the archive; a page removed in between (its job ended meanwhile) makes the backup
 * start again from a new snapshot, so a restored database never names a missing page.
 */

export const BACKUP_FORMAT = 'mfp-edge-backup/1';
const DB_FILE = 'edge.db';
const MANIFEST = 'manifest.json';
/** The database's live files (the snapshot replaces them) and what is not the edge's. */
const SKIPPED = new Set([DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`, 'simulator']);
const ATTEMPTS = 3;

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  edgeVersion: string;
  schemaVersion: number;
  /** Every file in the archive but the manifest, with its SHA-256 (restore checks them). */
  files: { path: string; bytes: number; sha256: string }[];
  /** False when the key came from MFP_EDGE_SECRET_KEY: the restored edge needs the same variable. */
  secretKeyIncluded: boolean;
}

export interface BackupResult {
  manifest: BackupManifest;
  warnings: string[];
}

export async function createBackup(options: {
  dataDir: string;
  file: string;
  now?: () => Date;
  /** Test hook: runs between the snapshot and the copy of the files (a job ending meanwhile). */
  afterSnapshot?: (attempt: number) => Promise<void>;
}): Promise<BackupResult> {
  const dbPath = join(options.dataDir, DB_FILE);
  await fs.access(dbPath).catch(() => {
    throw new EdgeError('BACKUP_NO_DATA', `No edge database at ${dbPath}: is --data the edge's data folder?`);
  });
  const staging = await fs.mkdtemp(join(dirname(options.file), `.${basename(options.file)}.`));
  try {
    for (let attempt = 1; ; attempt++) {
      const snapshot = join(staging, DB_FILE);
      await fs.rm(snapshot, { force: true });
      const source = new Database(dbPath, { fileMustExist: true });
      try {
        source.pragma('busy_timeout = 5000');
        await source.backup(snapshot);
      } finally {
        source.close();
      }
      await options.afterSnapshot?.(attempt);
      const referenced = spoolFilesNamedBy(snapshot);
      const schemaVersion = schemaVersionOf(snapshot);
      const temp = `${options.file}.tmp`;
      const packed = await pack(
        temp,
        options.dataDir,
        snapshot,
        options.now?.() ?? new Date(),
        schemaVersion,
      );
      const missing = referenced.filter((f) => !packed.paths.has(f));
      if (missing.length === 0) {
        await fs.rename(temp, options.file);
        await syncFolder(dirname(options.file));
        const warnings = packed.manifest.secretKeyIncluded
          ? []
          : [
              `The secret key comes from ${SECRET_KEY_ENV}, so it is not in the backup: keep it, the restored edge needs it.`,
            ];
        return { manifest: packed.manifest, warnings };
      }
      await fs.rm(temp, { force: true });
      if (attempt === ATTEMPTS)
        throw new EdgeError(
          'BACKUP_INCONSISTENT',
          `Pages the database names kept disappearing while the backup ran (${missing.slice(0, 3).join(', ')}); try again when fewer jobs are ending.`,
        );
    }
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/** The spool files the database still needs (jobs whose spool was not purged). */
function spoolFilesNamedBy(dbFile: string): string[] {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const columns = new Set(
      (db.prepare('SELECT name FROM pragma_table_info(?)').all('job_pages') as { name: string }[]).map(
        (c) => c.name,
      ),
    );
    const fileColumns = ['scan_file', 'fax_file', 'thumb_file'].filter((c) => columns.has(c));
    const rows = db
      .prepare(
        `SELECT p.job_id AS jobId, ${fileColumns.map((c) => `p.${c}`).join(', ')}
         FROM job_pages p JOIN jobs j ON j.id = p.job_id WHERE j.spool_purged_at IS NULL`,
      )
      .all() as Record<string, string | null>[];
    return rows.flatMap((row) =>
      fileColumns.flatMap((c) => (row[c] ? [posix.join('spool', row.jobId!, row[c]!)] : [])),
    );
  } finally {
    db.close();
  }
}

function schemaVersionOf(dbFile: string): number {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

async function pack(
  target: string,
  dataDir: string,
  snapshot: string,
  now: Date,
  schemaVersion: number,
): Promise<{ manifest: BackupManifest; paths: Set<string> }> {
  const files: { path: string; from: string }[] = [{ path: DB_FILE, from: snapshot }];
  for (const from of await walk(dataDir)) {
    const path = relative(dataDir, from).split(sep).join('/');
    if (SKIPPED.has(path.split('/')[0]!) || path.endsWith('.tmp')) continue;
    files.push({ path, from });
  }
  const archive = tar.pack();
  const output = pipeline(archive, createWriteStream(target, { mode: 0o600 }));
  const entries: BackupManifest['files'] = [];
  for (const file of files) {
    // A spool page may be removed as we go (its job ended): it is then simply not in this archive.
    const data = await fs.readFile(file.from).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (data === null) continue;
    await addEntry(archive, file.path, data);
    entries.push({ path: file.path, bytes: data.length, sha256: sha256(data) });
  }
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    createdAt: now.toISOString(),
    edgeVersion: EDGE_VERSION,
    schemaVersion,
    files: entries,
    secretKeyIncluded: entries.some((e) => e.path === SECRET_KEY_FILE),
  };
  await addEntry(archive, MANIFEST, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  archive.finalize();
  await output;
  const handle = await fs.open(target, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { manifest, paths: new Set(entries.map((e) => e.path)) };
}

function addEntry(archive: tar.Pack, name: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    archive.entry({ name, size: data.length, mode: 0o600 }, data, (error) =>
      error ? reject(error) : resolve(),
    ),
  );
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path).catch(() => [])));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * Restores a backup into a data folder that holds no edge (stop the edge first). With `replace`,
 * an existing data folder is kept beside it as `<dir>.before-restore-<time>` rather than deleted.
 * Everything is checked before the data folder changes: the archive's format, each file's SHA-256,
 * safe names only (no absolute paths, no `..`, regular files only), the database's integrity, and a
 * schema no newer than this edge's.
 */
export async function restoreBackup(options: {
  dataDir: string;
  file: string;
  replace?: boolean;
  now?: () => Date;
}): Promise<{ manifest: BackupManifest; keptAs: string | null }> {
  const existing = await fs.readdir(options.dataDir).catch(() => null);
  if (existing !== null && existing.length > 0 && !options.replace)
    throw new EdgeError(
      'RESTORE_TARGET_NOT_EMPTY',
      `${options.dataDir} is not empty. Stop the edge, then restore with --replace (the current folder is kept beside it) or into an empty folder.`,
    );
  const parent = dirname(options.dataDir);
  await makeFolderDurably(parent);
  const staging = await fs.mkdtemp(join(parent, `.${basename(options.dataDir)}.restore-`));
  try {
    const written = await extract(options.file, staging);
    const manifest = parseManifest(written.get(MANIFEST));
    for (const entry of manifest.files) {
      if (written.get(entry.path) === undefined || sha256(written.get(entry.path)!) !== entry.sha256)
        throw new EdgeError('BACKUP_CORRUPT', `${entry.path} in the backup is missing or damaged.`);
    }
    for (const path of written.keys())
      if (path !== MANIFEST && !manifest.files.some((f) => f.path === path))
        throw new EdgeError('BACKUP_CORRUPT', `${path} is in the backup but not in its manifest.`);
    await fs.rm(join(staging, MANIFEST));
    checkDatabase(join(staging, DB_FILE));
    let keptAs: string | null = null;
    if (existing !== null) {
      keptAs = `${options.dataDir}.before-restore-${(options.now?.() ?? new Date()).toISOString().replace(/[-:.]/g, '')}`;
      await fs.rename(options.dataDir, keptAs);
    }
    await fs.chmod(staging, 0o700);
    await fs.rename(staging, options.dataDir);
    await syncFolder(parent);
    return { manifest, keptAs };
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

const SAFE_NAME = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[\w.@+-]+(?:\/[\w.@+-]+)*$/;

async function extract(file: string, into: string): Promise<Map<string, Buffer>> {
  const written = new Map<string, Buffer>();
  const extractor = tar.extract();
  extractor.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('error', next);
    stream.on('end', () => {
      const name = header.name;
      if (header.type !== 'file' || !SAFE_NAME.test(name) || name.length > 1024 || written.has(name)) {
        next(
          new EdgeError(
            'BACKUP_CORRUPT',
            `The backup holds an entry that is not a plain file: ${JSON.stringify(name)}.`,
          ),
        );
        return;
      }
      const data = Buffer.concat(chunks);
      written.set(name, data);
      const path = join(into, ...name.split('/'));
      makeFolderDurably(dirname(path))
        .then(() => fs.writeFile(path, data, { mode: 0o600 }))
        .then(() => next(), next);
    });
  });
  try {
    await pipeline(createReadStream(file), extractor);
  } catch (error) {
    if (error instanceof EdgeError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new EdgeError('BACKUP_NOT_FOUND', `No backup file at ${file}.`);
    throw new EdgeError(
      'BACKUP_CORRUPT',
      `${file} is not a readable mfp-edge backup (${(error as Error).message}).`,
    );
  }
  return written;
}

function parseManifest(data: Buffer | undefined): BackupManifest {
  let manifest: Partial<BackupManifest> | null = null;
  try {
    manifest = data ? (JSON.parse(data.toString('utf8')) as Partial<BackupManifest>) : null;
  } catch {
    manifest = null;
  }
  if (manifest?.format !== BACKUP_FORMAT || !Array.isArray(manifest.files))
    throw new EdgeError(
      'BACKUP_CORRUPT',
      'This file is not an mfp-edge backup (no manifest of a known format).',
    );
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  if (typeof manifest.schemaVersion !== 'number' || manifest.schemaVersion > latest)
    throw new EdgeError(
      'BACKUP_TOO_NEW',
      `This backup was made by a newer edge (schema ${manifest.schemaVersion}, this edge knows ${latest}): restore it with that version or later.`,
    );
  return manifest as BackupManifest;
}

function checkDatabase(file: string): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    const result = db.pragma('integrity_check', { simple: true });
    if (result !== 'ok')
      throw new EdgeError('BACKUP_CORRUPT', `The database in the backup is damaged: ${String(result)}.`);
  } finally {
    db.close();
  }
}
