import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EdgeError } from '../../edge-service/src/edge-error.ts';
import { createBackup, restoreBackup } from '../../edge-service/src/ops/backup-archive.ts';

export const BACKUP_USAGE = `Usage:
  mfp-edge backup FILE [--data DIR]               while the edge runs: database snapshot, keys, spool, outbox
  mfp-edge restore FILE [--data DIR] [--replace]  with the edge stopped; --replace keeps the old folder beside it
--data DIR: the edge's data folder (default ./data, or MFP_EDGE_DATA). Exit 0 done, 1 refused, 2 usage.
`;

interface Io {
  stdout: Pick<NodeJS.WriteStream, 'write'>;
  stderr: Pick<NodeJS.WriteStream, 'write'>;
  env: NodeJS.ProcessEnv;
}

const PROCESS_IO: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env };

function parse(argv: string[], io: Io, options: { replace?: boolean }) {
  const parsed = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      data: { type: 'string' },
      ...(options.replace ? { replace: { type: 'boolean' as const, default: false } } : {}),
    },
  });
  if (parsed.positionals.length !== 1) throw new UsageError('name one backup FILE');
  return {
    file: resolve(parsed.positionals[0]!),
    dataDir: resolve(parsed.values.data ?? (io.env.MFP_EDGE_DATA || './data')),
    replace: (parsed.values as { replace?: boolean }).replace === true,
  };
}

class UsageError extends Error {}

async function run(io: Io, work: () => Promise<void>): Promise<number> {
  try {
    await work();
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`${(error as Error).message}\n\n${BACKUP_USAGE}`);
      return 2;
    }
    if (error instanceof EdgeError) {
      io.stderr.write(`${error.code}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

export function backupCommand(argv: string[], io: Io = PROCESS_IO): Promise<number> {
  return run(io, async () => {
    const { file, dataDir } = parse(argv, io, {});
    const { manifest, warnings } = await createBackup({ dataDir, file });
    const bytes = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
    io.stdout.write(
      `Backed up ${dataDir} to ${file}: ${manifest.files.length} files, ${(bytes / 1e6).toFixed(1)} MB, schema ${manifest.schemaVersion}.\n` +
        'The file holds the secret key: keep it as safe as the edge itself.\n',
    );
    for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
  });
}

export function restoreCommand(argv: string[], io: Io = PROCESS_IO): Promise<number> {
  return run(io, async () => {
    const { file, dataDir, replace } = parse(argv, io, { replace: true });
    const { manifest, keptAs } = await restoreBackup({ dataDir, file, replace });
    io.stdout.write(
      `Restored ${file} (made ${manifest.createdAt} by mfp-edge ${manifest.edgeVersion}) into ${dataDir}.\n` +
        (keptAs ? `The previous data folder is kept as ${keptAs}.\n` : '') +
        (manifest.secretKeyIncluded
          ? ''
          : 'Start the edge with the same MFP_EDGE_SECRET_KEY as when it was made.\n'),
    );
  });
}
