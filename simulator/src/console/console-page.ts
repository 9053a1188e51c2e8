/** Escapes text for HTML: the panel URL comes from configuration, so it goes in escaped. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function panelSection(panelUrl: string | null): string {
  if (!panelUrl) {
    return `<p role="status">No edge is paired with this device yet: the panel appears here once one is
(<code>mfp-edge start</code> does it for the demo device).</p>`;
  }
  return `<fieldset class="inline"><legend>Panel size</legend>
<label><input type="radio" name="panel-size" value="800x480" checked> 800×480</label>
<label><input type="radio" name="panel-size" value="1024x600"> 1024×600</label>
</fieldset>
<iframe id="panel-frame" title="Panel (800×480)" src="${escapeHtml(panelUrl)}" width="800" height="480"></iframe>`;
}

/**
 * The simulator console: the virtual MFP as a tester sees it. Static markup with no inline script or
 * style (the CSP forbids both); console.js fills it from the control API.
 */
export function consolePage(options: { panelUrl: string | null }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Virtual MFP — mfp-edge simulator</title>
<link rel="icon" href="/console/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/console/console.css">
<script type="module" src="/console/console.js"></script>
</head>
<body>
<header>
<h1>Virtual MFP</h1>
<p id="console-connection" role="status" aria-label="Console connection">Connecting…</p>
<nav aria-label="Device endpoints"><a href="/eSCL/ScannerCapabilities">eSCL capabilities</a> ·
<a href="/sim/api/faxes">control API</a></nav>
</header>
<main>
<section id="panel" aria-labelledby="panel-heading">
<h2 id="panel-heading">Panel</h2>
${panelSection(options.panelUrl)}
</section>

<section id="device-login" aria-labelledby="login-heading">
<h2 id="login-heading">Device login</h2>
<p id="login-status" role="status" aria-label="Signed-in person">…</p>
<button type="button" id="login-sign-out" disabled>Sign out</button>
<table aria-label="People enrolled on the device">
<thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Card</th><th scope="col">PIN</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
<tbody id="login-users"></tbody>
</table>
<form id="login-form" aria-label="Badge or PIN sign-in">
<span class="field"><label for="login-method">Sign in with</label> <select id="login-method"><option value="card">card</option><option value="pin">PIN</option><option value="email">email</option></select></span>
<label>Card id, PIN or email <input id="login-secret" autocomplete="off" required></label>
<button type="submit">Sign in</button>
</form>
<p id="login-alert" role="alert"></p>
</section>

<section id="faults" aria-labelledby="faults-heading">
<h2 id="faults-heading">Faults</h2>
<p id="fault-summary" role="status" aria-label="Raised faults">…</p>
<ul id="fault-switches" class="switches" aria-label="Fault switches"></ul>
<p id="fault-alert" role="alert"></p>
<h3 id="power-heading">Power</h3>
<p><button type="button" id="power-cycle" aria-describedby="power-status">Restart device</button>
<span id="power-status" role="status" aria-label="Device power">…</span></p>
<p id="power-alert" role="alert"></p>
</section>

<section id="feeder" aria-labelledby="feeder-heading">
<h2 id="feeder-heading">Feeder</h2>
<p id="feeder-summary" role="status" aria-label="Feeder state">…</p>
<ul id="feeder-contents" aria-label="Feeder contents"></ul>
<div id="feeder-samples" role="group" aria-label="Built-in samples"></div>
<label><input type="checkbox" id="feeder-reload"> Put the stack back after each job</label>
<div id="feeder-drop" class="drop">
<label>Upload an original (image or PDF) <input type="file" id="feeder-file" accept="image/*,application/pdf"></label>
<p>…or drop a file here.</p>
</div>
<p id="feeder-alert" role="alert"></p>
</section>

<section id="line" aria-labelledby="line-heading">
<h2 id="line-heading">Line monitor</h2>
<form id="line-form" aria-label="Remote machine behaviour">
<label>Number <input id="line-number" inputmode="tel" autocomplete="off" required placeholder="+12125550199"></label>
<span class="field"><label for="line-behavior">Behaviour</label> <select id="line-behavior">
<option value="answer">answers</option><option value="busy">busy</option><option value="no-answer">does not answer</option>
<option value="drop-at-page">drops the call at page…</option><option value="slow">slow line</option>
</select></span>
<label>Drop at page <input id="line-page" type="number" min="1" max="10000" value="2"></label>
<label>Bit rate (bit/s) <input id="line-bit-rate" type="number" min="300" max="33600" step="100" value="9600"></label>
<button type="submit">Set behaviour</button>
</form>
<p id="line-alert" role="alert"></p>
<table aria-label="Remote machines">
<thead><tr><th scope="col">Number</th><th scope="col">Behaviour</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
<tbody id="line-machines"></tbody>
</table>
<h3 id="faxes-heading">Received faxes</h3>
<p id="fax-summary" role="status" aria-label="Received faxes summary">…</p>
<ul id="fax-list" class="faxes" aria-labelledby="faxes-heading"></ul>
</section>
</main>
</body>
</html>
`;
}
