import * as nodeFs from 'node:fs/promises';
import { dirname, relative, sep } from 'node:path';

/** The file operations a durable write uses; tests inject failures (a full disk) through it. */
export type DurableFs = Pick<typeof nodeFs, 'mkdir' | 'open' | 'rename' | 'link' | 'rm'>;

export interface DurableWriteOptions {
  fs?: DurableFs;
  mode?: number;
  /** The temporary name beside the target (default `<target>.tmp`). */
  temp?: string;
  /**
   * `replace` (rename: the target is replaced) or `create` (link: refused with EEXIST when the
   * target exists, so two processes racing to create it agree on one content).
   */
  commit?: 'replace' | 'create';
}

/**
 * Writes a file so that, after a power cut, the name is either absent or names the complete
 * content: temp file, fsync, rename (or link), then fsync of the folder — without the last step
 * the rename itself may be lost, and a database row naming the file would point at nothing.
 */
export async function writeDurably(target: string, data: Buffer | string, options: DurableWriteOptions = {}) {
  const fs = options.fs ?? nodeFs;
  const folder = dirname(target);
  const temp = options.temp ?? `${target}.tmp`;
  await makeFolderDurably(folder, fs);
  try {
    const handle = await fs.open(temp, 'w', options.mode ?? 0o640);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.commit === 'create') await fs.link(temp, target);
    else await fs.rename(temp, target);
  } finally {
    // After a rename the temp name is gone already; after a link (or a failure) it is removed here.
    await fs.rm(temp, { force: true }).catch(() => undefined);
  }
  await syncFolder(folder, fs);
}

/**
 * mkdir -p whose new entries survive a power cut: each folder it created is named in its parent,
 * so every parent from the first created folder's up to the deepest is synced.
 */
export async function makeFolderDurably(folder: string, fs: Pick<DurableFs, 'mkdir' | 'open'> = nodeFs) {
  const first = await fs.mkdir(folder, { recursive: true });
  if (first === undefined) return;
  let parent = dirname(first);
  await syncFolder(parent, fs);
  for (const part of relative(parent, folder).split(sep).slice(0, -1)) {
    parent = `${parent}${sep}${part}`;
    await syncFolder(parent, fs);
  }
}

/** fsync of a folder: makes the names created, renamed or removed in it durable. */
export async function syncFolder(folder: string, fs: Pick<DurableFs, 'open'> = nodeFs): Promise<void> {
  const handle = await fs.open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
