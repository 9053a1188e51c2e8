import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The tools people would otherwise use, by the Debian package that has them. */
export const TOOL_PACKAGES = {
  imagemagick: 'imagemagick',
  netpbm: 'netpbm',
  djpeg: 'libjpeg-turbo-progs',
  ghostscript: 'ghostscript',
  img2pdf: 'img2pdf',
  tiff2pdf: 'libtiff-tools',
} as const;

export type ToolName = keyof typeof TOOL_PACKAGES;

export interface Tools {
  /** Command per tool found; a missing tool's conversions are skipped with `notes`. */
  found: Partial<Record<ToolName, string>>;
  notes: string[];
}

const CANDIDATES: Record<ToolName, string[]> = {
  // Debian's ImageMagick 6 installs convert-im6.q16; a `convert` early on PATH may be something else.
  imagemagick: ['magick', 'convert-im6.q16', 'convert'],
  netpbm: ['pamthreshold'],
  djpeg: ['djpeg'],
  ghostscript: ['gs'],
  img2pdf: ['img2pdf'],
  tiff2pdf: ['tiff2pdf'],
};

function works(command: string, tool: ToolName): boolean {
  const args = tool === 'ghostscript' ? ['--version'] : tool === 'imagemagick' ? ['-version'] : ['--help'];
  const run = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  if (run.error !== undefined) return false;
  return tool === 'imagemagick' ? /ImageMagick/.test(run.stdout) : true;
}

function find(tool: ToolName): string | undefined {
  return CANDIDATES[tool].find((command) => works(command, tool));
}

/** Finds the tools; as root with `install`, apt-get installs the missing ones first. */
export function findTools(options: { install: boolean; skip?: boolean }): Tools {
  const tools: Tools = { found: {}, notes: [] };
  if (options.skip === true) {
    tools.notes.push('comparison tools skipped (--no-tools)');
    return tools;
  }
  const names = Object.keys(TOOL_PACKAGES) as ToolName[];
  let missing = names.filter((tool) => find(tool) === undefined);
  if (missing.length > 0 && options.install && process.getuid?.() === 0) {
    const packages = [...new Set(missing.map((tool) => TOOL_PACKAGES[tool]))];
    const run = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
      encoding: 'utf8',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 600_000,
    });
    tools.notes.push(`apt-get install ${packages.join(' ')}: ${run.status === 0 ? 'ok' : 'failed'}`);
    missing = names.filter((tool) => find(tool) === undefined);
  }
  for (const tool of names) {
    const command = find(tool);
    if (command === undefined)
      tools.notes.push(`${tool} not found (Debian package ${TOOL_PACKAGES[tool]}): skipped`);
    else tools.found[tool] = command;
  }
  return tools;
}

export interface ToolRun {
  ms: number;
  /** Peak resident memory of the largest process, from GNU time (undefined without it). */
  peakRssBytes: number | undefined;
  /** User + system CPU of all its processes, from GNU time: unlike ms, barely moved by other load. */
  cpuMs: number | undefined;
}

const hasGnuTime = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;

/** Runs a shell pipeline, timed, with its peak RSS. */
export async function runTool(script: string): Promise<ToolRun> {
  const started = performance.now();
  const args = hasGnuTime
    ? ['/usr/bin/time', '-f', 'PEAK_RSS_KB=%M CPU_S=%U+%S', 'sh', '-c', script]
    : ['sh', '-c', script];
  const { stderr } = await execFileAsync(args[0] as string, args.slice(1), {
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - started;
  const match = /PEAK_RSS_KB=(\d+)/.exec(stderr);
  const cpu = /CPU_S=([\d.]+)\+([\d.]+)/.exec(stderr);
  return {
    ms,
    peakRssBytes: match ? Number(match[1]) * 1024 : undefined,
    cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined,
  };
}

export function quote(path: string): string {
  return `'${path.replaceAll("'", "'\\''")}'`;
}
