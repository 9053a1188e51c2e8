/**
 * A function's source text for a pool thread to evaluate (dither-pool.ts). Where tsx compiles a
 * module to CommonJS (under the test runner), a call to an imported function reads
 * `(0, import_despeckle.despeckleBilevel)(…)`; the thread has no such namespace, only the function
 * under its own name (its module's source is loaded beside it), so that form is written back to
 * the plain name.
 */
export function threadSource(fn: (...args: never[]) => unknown): string {
  return fn
    .toString()
    .replace(/\(0,\s*import_[\w$]+\.([\w$]+)\)/g, '$1')
    .replace(/\bimport_[\w$]+\.([\w$]+)/g, '$1');
}
