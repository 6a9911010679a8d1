/// Templates of the administrator's pages.
enum AdminTemplates {
    static let agencies = """
        <p>Agencies in the registry (<code>agencies.yaml</code>) and the certificates found under <code>{{certificatesDirectory}}</code>.
        Certificates that expire within {{warningDays}} days are flagged.</p>
        {{#registryProblem}}<div class="notice warn" role="status"><p>{{registryProblem}}</p></div>{{/registryProblem}}
        <div class="scroll" tabindex="0" role="region" aria-label="Agencies"><table>
        <caption>Agencies</caption>
        <thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Jurisdiction</th><th scope="col">Certificate identity</th><th scope="col">Certificates</th></tr></thead>
        <tbody>
        {{#agencies}}<tr><td>{{id}}</td><td>{{name}}</td><td>{{jurisdiction}}{{#overseas}} (overseas){{/overseas}}</td><td><code>{{certificate}}</code></td>
        <td>{{#certificates}}<span class="cert {{state}}">{{file}}: {{status}}</span><br>{{/certificates}}{{^certificates}}<span class="cert warn">no certificate found</span>{{/certificates}}</td></tr>
        {{/agencies}}
        </tbody></table></div>
        <div class="scroll" tabindex="0" role="region" aria-label="All certificates"><table>
        <caption>All certificates</caption>
        <thead><tr><th scope="col">File</th><th scope="col">Subject</th><th scope="col">Identity</th><th scope="col">Expires (UTC)</th><th scope="col">Status</th></tr></thead>
        <tbody>
        {{#certificates}}<tr><td>{{file}}</td><td>{{subject}}</td><td><code>{{identity}}</code></td><td>{{expires}}</td><td><span class="cert {{state}}">{{status}}</span></td></tr>
        {{/certificates}}
        {{^certificates}}<tr><td colspan="5">No certificates found.</td></tr>{{/certificates}}
        </tbody></table></div>
        {{#trust}}
        <section aria-labelledby="crl-heading">
        <h2 id="crl-heading">Certificate revocation lists in force</h2>
        <div class="scroll" tabindex="0" role="region" aria-label="Revocation lists"><table>
        <caption class="visually-hidden">Revocation lists</caption>
        <thead><tr><th scope="col">Issuer</th><th scope="col">Next update (UTC)</th><th scope="col">Status</th></tr></thead>
        <tbody>
        {{#crls}}<tr><td>{{issuer}}</td><td>{{nextUpdate}}</td><td><span class="cert {{state}}">{{status}}</span></td></tr>
        {{/crls}}
        {{^crls}}<tr><td colspan="3">No CRL is loaded: no certificate can be revoked.</td></tr>{{/crls}}
        </tbody></table></div>
        {{#canReload}}<form method="post" action="/agencies/reload"><input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">Reload certificates and CRLs</button></form>
        <p class="muted">Re-reads the CAs the registry names, the CRLs and the gateway's TLS certificate; validated first, audited, and used by new connections only.</p>{{/canReload}}
        </section>
        {{/trust}}
        """

    static let agreements = """
        {{#saved}}<p class="notice ok" role="status">Saved <code>{{saved}}</code>. Nothing changes until the set is activated:
        review below what activation changes and the scenarios, then activate.</p>{{/saved}}
        <section aria-labelledby="state-heading">
        <h2 id="state-heading">Active set and proposed change</h2>
        <p>Active set: generation {{activeGeneration}}, digest <code>{{activeDigest}}</code>.</p>
        <p>Proposed set: the files in <code>{{directory}}</code>, checked as of {{today}}{{#proposedDigest}}, files digest <code>{{proposedDigest}}</code>{{/proposedDigest}}.</p>
        {{#valid}}<p class="notice ok">The proposed set passes every check.</p>{{/valid}}
        {{#hasDiagnostics}}
        <div class="notice error" role="alert"><p><strong>{{diagnosticCount}} problem(s); the proposed set cannot be activated.</strong></p>
        <ul>{{#diagnostics}}<li><code>{{location}}</code>: {{message}} <span class="muted">[{{code}}]</span></li>{{/diagnostics}}</ul></div>
        {{/hasDiagnostics}}
        </section>
        {{#valid}}
        <section aria-labelledby="diff-heading">
        <h2 id="diff-heading">What activation changes</h2>
        {{^changes}}<p>No change in what may be sent today.</p>{{/changes}}
        {{#hasChanges}}<ul class="diff">{{#changes}}<li class="{{kind}}"><strong>{{label}}</strong> {{key}} under <code>{{agreement}}</code>{{#detail}}: {{detail}}{{/detail}}</li>{{/changes}}</ul>{{/hasChanges}}
        <h3 id="impact-heading">Impact on the last 90 days of traffic</h3>
        {{#impact}}{{#unavailable}}<p class="notice warn">{{unavailable}}</p>{{/unavailable}}
        {{^unavailable}}<p>{{decisions}} past decision(s) replayed against the proposed set, as if sent today.</p>
        {{^hasRows}}<p>The proposed set would have decided every one of them as the gateway did.</p>{{/hasRows}}
        {{#hasRows}}<ul class="diff" aria-labelledby="impact-heading">{{#rows}}<li class="{{kind}}"><strong>{{label}}</strong> {{key}} under <code>{{agreement}}</code>: {{detail}}</li>{{/rows}}</ul>{{/hasRows}}
        {{#notes}}<p class="muted">{{.}}</p>{{/notes}}{{/unavailable}}{{/impact}}
        <h3 id="properties-heading">Properties</h3>
        {{^hasPropertiesFile}}<p>No <code>properties.yaml</code>: no property is proved.</p>{{/hasPropertiesFile}}
        {{#propertyProblems}}<p class="notice error"><code>{{location}}</code>: {{message}}</p>{{/propertyProblems}}
        {{#propertiesBroken}}<p class="notice error" role="alert"><strong>The proposed set breaks its properties; activation will refuse it.</strong></p>{{/propertiesBroken}}
        {{#properties}}<p><span class="proof {{resultClass}}">{{result}}</span> {{name}} <span class="muted"><code>{{location}}</code></span></p>
        {{#counterexamples}}<p class="muted">&nbsp;&nbsp;{{.}}</p>{{/counterexamples}}{{/properties}}
        <form method="post" action="/agreements/activate"><input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="digest" value="{{proposedDigest}}">
        <button type="submit">Activate the proposed set</button></form>
        <p class="muted">Activation applies exactly the files reviewed here (digest above); if they change before you activate, nothing is activated and the new changes are shown.</p>
        </section>
        <section aria-labelledby="scenario-heading">
        <h2 id="scenario-heading">Scenarios: {{scenarioPassed}} passed, {{scenarioFailed}} failed</h2>
        {{#hasScenarioProblems}}<ul class="notice error">{{#scenarioProblems}}<li>{{.}}</li>{{/scenarioProblems}}</ul>{{/hasScenarioProblems}}
        <div class="scroll" tabindex="0" role="region" aria-label="Scenario results"><table><caption class="visually-hidden">Scenario results</caption>
        <thead><tr><th scope="col">Result</th><th scope="col">Scenario</th><th scope="col">Where</th><th scope="col">Differences</th></tr></thead>
        <tbody>{{#scenarios}}<tr><td><span class="proof {{resultClass}}">{{result}}</span></td><td>{{name}}</td><td><code>{{location}}</code></td><td>{{#mismatches}}{{.}}<br>{{/mismatches}}</td></tr>{{/scenarios}}</tbody>
        </table></div>
        </section>
        {{/valid}}
        {{#canEdit}}
        <section aria-labelledby="files-heading">
        <h2 id="files-heading">Agreement files</h2>
        <p>Edit a file, or write a new draft: saving checks it with the rest of the directory and writes nothing while it has problems.</p>
        <ul>{{#files}}<li><a href="/agreements/edit?file={{name}}">Edit <code>{{name}}</code></a></li>{{/files}}</ul>
        <p><a href="/agreements/new">New draft agreement</a></p>
        </section>
        {{/canEdit}}
        <section aria-labelledby="list-heading">
        <h2 id="list-heading">Agreements{{#valid}} (proposed set){{/valid}}{{^valid}} (active set){{/valid}}</h2>
        {{#agreements}}
        <article class="agreement" aria-labelledby="agreement-{{id}}">
        <h3 id="agreement-{{id}}">{{title}}</h3>
        <p><code>{{id}}</code> version {{version}}, status <strong>{{status}}</strong>, valid {{validFrom}} to {{validUntil}}, review by {{reviewBy}}. File <code>{{file}}</code>.</p>
        <p>Parties: {{parties}}</p>
        <h4>Legal basis</h4>
        <ul>{{#legalBasis}}<li>{{instrument}} {{provision}}: {{summary}}</li>{{/legalBasis}}</ul>
        <h4>Flows</h4>
        <div class="scroll" tabindex="0" role="region" aria-label="Flows of {{id}}"><table><caption class="visually-hidden">Flows of {{id}}</caption>
        <thead><tr><th scope="col">#</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Types</th><th scope="col">Purposes</th><th scope="col">Ceiling</th><th scope="col">Handling</th><th scope="col">Discloses</th><th scope="col">Never discloses</th><th scope="col">Review</th></tr></thead>
        <tbody>{{#flows}}<tr><td>{{number}}</td><td>{{from}}</td><td>{{to}}</td><td>{{types}}</td><td>{{purposes}}</td><td>{{ceiling}}</td><td>{{handling}}</td><td>{{disclose}}</td><td>{{neverDisclose}}</td><td>{{review}}{{#safeguard}}<br>IPP 12: {{safeguard}}{{/safeguard}}</td></tr>{{/flows}}</tbody>
        </table></div>
        {{#canEdit}}<p>{{#fileName}}<a href="/agreements/edit?file={{fileName}}">Edit {{fileName}}</a> · {{/fileName}}<a href="/agreements/new?from={{id}}">Copy {{id}} as a new draft</a></p>{{/canEdit}}
        {{#canChange}}
        <form method="post" action="/agreements/status" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="agreement" value="{{id}}">
        {{#canSuspend}}<button type="submit" name="status" value="suspended" class="danger">Suspend {{id}}</button>{{/canSuspend}}
        {{#canActivate}}<button type="submit" name="status" value="active">Make {{id}} active</button>{{/canActivate}}
        </form>
        {{/canChange}}
        </article>
        {{/agreements}}
        </section>
        """

    /// One agreement's YAML in a form: checked with the rest of the directory when saved.
    static let agreementEdit = """
        {{#message}}<div class="notice {{#hasProblems}}error{{/hasProblems}}{{^hasProblems}}warn{{/hasProblems}}" role="alert"><p><strong>{{message}}</strong></p>
        {{#hasProblems}}<ul>{{#problems}}<li><code>{{location}}</code>: {{message}} <span class="muted">[{{code}}]</span>{{#excerpt}}<br><code class="excerpt">{{excerpt}}</code>{{/excerpt}}</li>{{/problems}}</ul>{{/hasProblems}}
        </div>{{/message}}
        {{#hasElsewhere}}<div class="notice warn"><p>Other files already have problems; they do not stop this save, but the set cannot be activated until they are fixed:</p>
        <ul>{{#elsewhere}}<li><code>{{location}}</code>: {{message}} <span class="muted">[{{code}}]</span></li>{{/elsewhere}}</ul></div>{{/hasElsewhere}}
        <p>{{#isNew}}The file is named after the agreement's <code>id</code>. {{/isNew}}Saving checks the text with the rest of the agreements
        directory and writes nothing while it has problems. Saving changes nothing in force: afterwards, review what activation changes
        on the Agreements page and activate there.</p>
        <form method="post" action="/agreements/save">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="file" value="{{file}}">
        <input type="hidden" name="original" value="{{original}}">
        <p><label for="agreement-text">Agreement (YAML{{^isNew}}, <code>{{file}}</code>{{/isNew}})</label></p>
        <textarea id="agreement-text" name="text" class="code" rows="32" spellcheck="false" autocapitalize="off" maxlength="{{maximumBytes}}" aria-describedby="agreement-limit">{{text}}</textarea>
        <p id="agreement-limit" class="help">At most {{maximumBytes}} bytes.</p>
        <button type="submit">Check and save</button> <a href="/agreements">Cancel</a>
        </form>
        """
}
