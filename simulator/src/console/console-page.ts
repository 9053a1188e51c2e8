/** Escapes text for HTML: the console shows tester-supplied names. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The simulator console. This first cut frames the panel and links the control API; the full console
 * (feeder, line monitor, faults) renders from the same API.
 */
export function consolePage(options: { panelUrl: string | null }): string {
  const panel = options.panelUrl
    ? `<iframe title="Panel (800×480)" src="${escapeHtml(options.panelUrl)}" width="800" height="480"></iframe>`
    : '<p>No edge is paired with this device yet.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Virtual MFP — mfp-edge simulator</title></head>
<body>
<h1>Virtual MFP</h1>
<section aria-label="Panel">${panel}</section>
<section aria-label="Control API">
<ul>
<li><a href="/sim/api/feeder">Feeder</a></li>
<li><a href="/sim/api/faxes">Received faxes</a></li>
<li><a href="/sim/api/faults">Faults</a></li>
<li><a href="/eSCL/ScannerCapabilities">eSCL capabilities</a></li>
</ul>
</section>
</body></html>`;
}
