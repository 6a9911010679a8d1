/// The console's Mustache templates, compiled into the binary so the console needs no files
/// beside it. `{{ }}` escapes; `{{{ }}}` appears only for the page body and charts.
enum ConsoleTemplates {
    static let all: [(String, String)] = [
        ("layout", layout), ("error", error), ("home", home),
        ("audit", AuditTemplates.search), ("flows", AuditTemplates.flows), ("held", AuditTemplates.held),
        ("integrity", AuditTemplates.integrity), ("integrity-run", AuditTemplates.integrityRun), ("outcome", outcome),
        ("agencies", AdminTemplates.agencies), ("agreements", AdminTemplates.agreements),
        ("signin", signIn),
        ("agreement-edit", AdminTemplates.agreementEdit),
    ]

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        {{#refresh}}<meta http-equiv="refresh" content="{{refresh}}">{{/refresh}}
        <title>{{title}} · Accord console</title>
        <link rel="stylesheet" href="/static/console.css">
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
        <p class="brand"><a href="/">Accord console</a></p>
        {{#operator}}
        <p class="who">Signed in as <strong>{{name}}</strong>, {{roleTitle}}</p>
        {{#signOut}}<form class="signout" method="post" action="/signout"><input type="hidden" name="csrf" value="{{signOut}}"><button type="submit">Sign out</button></form>{{/signOut}}
        <nav aria-label="Console pages"><ul>
        {{#nav}}<li><a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a></li>
        {{/nav}}
        </ul></nav>
        {{/operator}}
        </header>
        <main id="main" tabindex="-1">
        <h1>{{title}}</h1>
        {{{body}}}
        </main>
        </body>
        </html>
        """

    static let error = """
        <div class="notice error" role="alert"><p><strong>{{status}}</strong></p><p>{{message}}</p></div>
        <p><a href="/">Back to the overview</a></p>
        """

    static let home = """
        <p>You are signed in {{#account}}with the local account{{/account}}{{^account}}with the operator certificate{{/account}} of <strong>{{name}}</strong> ({{roleTitle}}).</p>
        <ul class="cards">
        {{#links}}<li><a href="{{href}}">{{label}}</a><p>{{summary}}</p></li>
        {{/links}}
        </ul>
        """

    /// Local accounts only: certificates never need it.
    static let signIn = """
        {{#hasMessage}}<div class="notice error" role="alert"><p>{{message}}</p></div>{{/hasMessage}}
        <form method="post" action="/signin" class="signin">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <p><label for="name">Account name</label>
        <input id="name" name="name" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="256" autofocus></p>
        <p><label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"></p>
        <p><button type="submit">Sign in</button></p>
        </form>
        <p class="hint">Operators with an Accord operator certificate are signed in by their browser and do not need this page.</p>
        """

    /// The result of a change: approved, rejected, activated, or why not.
    static let outcome = """
        <div class="notice {{kind}}" role="status"><p>{{message}}</p>
        {{#hasDetails}}<ul>{{#details}}<li><code>{{.}}</code></li>{{/details}}</ul>{{/hasDetails}}
        </div>
        <p><a href="{{back}}">{{backLabel}}</a></p>
        """
}
