"""The sandbox's root page: what it emulates, the demo credentials, where to look.

For people who open http://127.0.0.1:8900/ from `make demo`'s banner: plain HTML, no script.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from werkzeug.wrappers import Response

from sandbox.oauth import DEMO_CLIENT
from sandbox.vendors.gong import DEMO_ACCESS_KEY, DEMO_ACCESS_KEY_SECRET
from sandbox.vendors.salesloft import DEMO_API_KEY

if TYPE_CHECKING:
    from sandbox.app import Sandbox

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f7f9;
color:#1d2330}
main{max-width:60rem;margin:0 auto;padding:2rem 1.5rem}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:2rem 0 .5rem}
p{line-height:1.5}.lead{color:#4a5263;margin-top:0}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #dde1e8}
th,td{text-align:left;padding:.5rem .75rem;border-bottom:1px solid #eceff3;vertical-align:top}
th{background:#f0f2f5;font-weight:600}code{font-size:.9em;word-break:break-all}
a{color:#2557d6}.base code{word-break:normal;white-space:nowrap}
"""

WHAT = {
    "salesloft": "People, accounts and cadences (the Salesloft cadence walkthrough)",
    "gong": "Engage flows and their prospects (the Gong Engage walkthrough)",
    "linkedinads": "Ad accounts and matched audiences (the LinkedIn audience walkthrough)",
    "salesforce": "Objects, records and Bulk API jobs",
}


def home_page(sandbox: Sandbox) -> Response:
    rows = []
    for key, emulator in sorted(sandbox.emulators.items()):
        tables = [name for name in sandbox.store.tables() if name.startswith(f"{key}/")]
        links = ", ".join(
            f'<a href="/_sandbox/records/{escape(name)}">{escape(name.split("/", 1)[1])}</a>'
            for name in tables
        )
        rows.append(
            f"<tr><td>{escape(emulator.title)}</td><td>{escape(WHAT.get(key, ''))}</td>"
            f"<td class='base'><code>{escape(sandbox.public_url)}/{escape(key)}/</code></td>"
            f"<td>{links or 'none yet'}</td></tr>"
        )
    credentials = [
        ("Salesloft API key", DEMO_API_KEY),
        ("Gong access key", DEMO_ACCESS_KEY),
        ("Gong access key secret", DEMO_ACCESS_KEY_SECRET),
        ("OAuth client id (every tool)", DEMO_CLIENT.client_id),
        ("OAuth client secret", DEMO_CLIENT.client_secret),
    ]
    credential_rows = "".join(
        f"<tr><th scope='row'>{escape(label)}</th><td><code>{escape(value)}</code></td></tr>"
        for label, value in credentials
    )
    body = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Syncline vendor sandbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>
<body><main>
<h1>Syncline vendor sandbox</h1>
<p class="lead">Local stand-ins for the tools Syncline writes into. Nothing here reaches a real
vendor: records Syncline sends are stored in this process (and saved to its state file), so you
can see exactly what arrived.</p>
<h2>What is emulated</h2>
<table><thead><tr><th>Tool</th><th>What it offers</th><th>API base</th><th>Stored records</th>
</tr></thead><tbody>{"".join(rows)}</tbody></table>
<h2>Demo credentials</h2>
<p>Connecting a tool in Syncline's console goes through this sandbox's consent page (OAuth) or
takes these keys.</p>
<table><tbody>{credential_rows}</tbody></table>
<h2>Look inside</h2>
<p><a href="/_sandbox/requests">Request log</a> ({len(sandbox.log)} requests so far,
counted per endpoint and status) · <a href="/_sandbox/records">All stored tables</a> ·
<a href="/_sandbox/faults">Fault settings</a> (5xx, 429, slow answers: for trying failures) ·
<a href="/_sandbox/health">Health</a></p>
</main></body></html>"""
    return Response(body, content_type="text/html; charset=utf-8")
