import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import {
  makeFolderDurably,
  writeDurably,
  type DurableFs,
} from '../../../edge-service/src/fs/durable-write.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

/** The real file system, with every rename, link and fsync (and of what) written down in order. */
function recordingFs(): { fs: DurableFs; log: string[] } {
  const log: string[] = [];
  const recording: DurableFs = {
    mkdir: fs.mkdir,
    rm: fs.rm,
    rename: async (from, to) => {
      log.push(`rename ${String(to)}`);
      await fs.rename(from, to);
    },
    link: async (from, to) => {
      log.push(`link ${String(to)}`);
      await fs.link(from, to);
    },
    open: (async (path: string, flags?: string, mode?: number) => {
      const handle = await fs.open(path, flags, mode);
      const sync = handle.sync.bind(handle);
      handle.sync = async () => {
        log.push(`fsync ${flags === 'r' ? 'folder' : 'file'} ${path}`);
        await sync();
      };
      return handle;
    }) as DurableFs['open'],
  };
  return { fs: recording, log };
}

describe('durable writes', () => {
  let temp: ReturnType<typeof tempDir>;
  let dir: string;
  beforeEach(() => {
    temp = tempDir('durable-write-');
    dir = temp.path;
  });
  afterEach(() => temp.remove());

  it('syncs the file, renames it into place, then syncs the folder so the new name survives a power cut', async () => {
    const { fs: recording, log } = recordingFs();
    const target = join(dir, 'page-1.tiff');
    await writeDurably(target, Buffer.from('page'), { fs: recording });
    assert.deepEqual(log, [`fsync file ${target}.tmp`, `rename ${target}`, `fsync folder ${dir}`]);
    assert.equal(await fs.readFile(target, 'utf8'), 'page');
    assert.deepEqual(await fs.readdir(dir), ['page-1.tiff']);
  });

  it('creates without replacing: a second writer gets EEXIST and the first content stays', async () => {
    const target = join(dir, 'secret.key');
    await writeDurably(target, 'first', { commit: 'create', temp: `${target}.a.tmp` });
    await assert.rejects(writeDurably(target, 'second', { commit: 'create', temp: `${target}.b.tmp` }), {
      code: 'EEXIST',
    });
    assert.equal(await fs.readFile(target, 'utf8'), 'first');
    assert.deepEqual(await fs.readdir(dir), ['secret.key']);
  });

  it('leaves no temporary file behind when the disk is full', async () => {
    const full: DurableFs = {
      ...fs,
      open: (async (path: string, flags?: string, mode?: number) => {
        const handle = await fs.open(path, flags, mode);
        handle.writeFile = async () => {
          throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        };
        return handle;
      }) as DurableFs['open'],
    };
    await assert.rejects(writeDurably(join(dir, 'page.tiff'), 'x', { fs: full }), { code: 'ENOSPC' });
    assert.deepEqual(await fs.readdir(dir), []);
  });

  it('syncs the parent of every folder it creates', async () => {
    const { fs: recording, log } = recordingFs();
    await makeFolderDurably(join(dir, 'spool', 'job-1'), recording);
    assert.deepEqual(log, [`fsync folder ${dir}`, `fsync folder ${join(dir, 'spool')}`]);
    log.length = 0;
    await makeFolderDurably(join(dir, 'spool', 'job-1'), recording);
    assert.deepEqual(log, [], 'an existing folder needs no sync');
  });
});
