/// The console's one stylesheet. Colours meet WCAG 2.2 AA contrast (text at least 4.5:1 on
/// its background); focus is always visible for keyboard users.
enum ConsoleStyle {
    static let css = """
        :root { --ink: #1b1b1b; --paper: #ffffff; --muted: #4a4a4a; --line: #b8b8b8; --accent: #00508f;
                --ok-bg: #e6f4ea; --ok-ink: #0b5a22; --warn-bg: #fff4ce; --warn-ink: #5c4300; --bad-bg: #fde7e9; --bad-ink: #8a1020; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--paper); }
        a { color: var(--accent); }
        a:focus, button:focus, input:focus, select:focus, textarea:focus, main:focus-visible, .scroll:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
        .skip { position: absolute; left: -999px; top: 0; background: var(--paper); padding: .5rem; }
        .skip:focus { left: .5rem; }
        .top { background: #0b2540; color: #ffffff; padding: .75rem 1.5rem; }
        .top a { color: #ffffff; }
        .brand { margin: 0; font-weight: 700; font-size: 1.2rem; }
        .who { margin: .25rem 0; }
        nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; margin: .5rem 0 0; padding: 0; }
        nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
        main { padding: 1rem 1.5rem 3rem; max-width: 90rem; }
        h1 { margin-top: .5rem; }
        table { border-collapse: collapse; width: 100%; margin: .75rem 0 1.5rem; font-size: .95rem; }
        caption { text-align: left; font-weight: 700; padding: .25rem 0; }
        th, td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
        th { background: #eef2f6; }
        .scroll { overflow-x: auto; }
        fieldset { border: 1px solid var(--line); padding: 1rem; }
        .grid { display: grid; grid-template-columns: max-content minmax(12rem, 28rem); gap: .5rem 1rem; align-items: center; }
        input, select { font: inherit; padding: .3rem .4rem; border: 1px solid #6b6b6b; border-radius: 3px; }
        button { font: inherit; padding: .45rem 1rem; margin: .5rem .5rem 0 0; border: 0; border-radius: 3px; background: var(--accent); color: #ffffff; cursor: pointer; }
        button.secondary { background: #3d4a57; }
        button.danger { background: #a4121f; }
        .help, .muted { color: var(--muted); }
        .notice { padding: .5rem 1rem; border-left: 6px solid; margin: 1rem 0; }
        .notice.ok { background: var(--ok-bg); color: var(--ok-ink); }
        .notice.warn { background: var(--warn-bg); color: var(--warn-ink); }
        .notice.error { background: var(--bad-bg); color: var(--bad-ink); }
        .proof, .cert { padding: 0 .35rem; border-radius: 3px; white-space: nowrap; }
        .proof.ok, .cert.ok { background: var(--ok-bg); color: var(--ok-ink); }
        .proof.warn, .cert.warn { background: var(--warn-bg); color: var(--warn-ink); }
        .proof.bad, .cert.bad { background: var(--bad-bg); color: var(--bad-ink); }
        .cards { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: 1rem; }
        .cards li { border: 1px solid var(--line); padding: .75rem 1rem; }
        .cards a { font-weight: 700; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
        dt { font-weight: 700; }
        dd { margin: 0; }
        .held, .agreement { border: 1px solid var(--line); padding: .5rem 1rem 1rem; margin: 1rem 0; }
        .actions { display: flex; gap: .5rem; }
        .diff li.opened { color: var(--ok-ink); }
        .diff li.closed { color: var(--bad-ink); }
        .diff li.changed { color: var(--warn-ink); }
        pre.note { background: #f4f4f4; padding: .5rem; overflow-x: auto; }
        .chart { width: 100%; max-width: 48rem; height: auto; }
        .chart .bar { fill: var(--accent); }
        .chart .axis { stroke: var(--ink); }
        .chart .tick { font-size: 11px; fill: var(--ink); }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
        code { overflow-wrap: anywhere; }
        .signout { display: inline; }
        .signout button { margin: 0 0 .25rem; padding: .2rem .75rem; background: #3d4a57; }
        .signin label { display: block; font-weight: 700; }
        .signin input { width: 100%; max-width: 24rem; }
        textarea.code { display: block; width: 100%; max-width: 60rem; font: 14px/1.45 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
                        padding: .5rem; border: 1px solid #6b6b6b; border-radius: 3px; tab-size: 2; }
        code.excerpt { white-space: pre-wrap; background: #ffffff; padding: 0 .25rem; }
        """
}
