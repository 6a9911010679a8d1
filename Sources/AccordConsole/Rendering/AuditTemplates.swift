/// Templates of the privacy officer's pages.
enum AuditTemplates {
    static let search = """
        <form method="post" action="/audit" class="filters">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <fieldset><legend>Find audit records</legend>
        <div class="grid">
        <label for="since">From (date or RFC 3339 time)</label><input id="since" name="since" value="{{form.since}}" placeholder="2026-01-31">
        <label for="until">Until</label><input id="until" name="until" value="{{form.until}}" placeholder="2026-02-28T00:00:00Z">
        <label for="agency">Agency (sent, received or acted)</label><input id="agency" name="agency" value="{{form.agency}}" list="agency-ids">
        <label for="agreement">Agreement id</label><input id="agreement" name="agreement" value="{{form.agreement}}" list="agreement-ids">
        <label for="event">Event kind</label>
        <select id="event" name="event"><option value="">any</option>
        {{#events}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/events}}
        </select>
        <label for="message">Message id</label><input id="message" name="message" value="{{form.message}}">
        <label for="subject">Subject identifier (type=value)</label>
        <input id="subject" name="subject" autocomplete="off" placeholder="passport=LA123456" aria-describedby="subject-help">
        <label for="limit">At most</label><input id="limit" name="limit" type="number" min="1" max="5000" value="{{form.limit}}">
        </div>
        <p id="subject-help" class="help">The identifier is turned into its keyed hash on the server and searched by hash;
        it is not stored, logged or shown back. Your search is itself recorded in the audit log.</p>
        <datalist id="agency-ids">{{#agencies}}<option value="{{.}}">{{/agencies}}</datalist>
        <datalist id="agreement-ids">{{#agreementIDs}}<option value="{{.}}">{{/agreementIDs}}</datalist>
        <button type="submit" name="action" value="search">Search</button>
        <button type="submit" formaction="/audit/export" class="secondary">Export as JSON Lines</button>
        </fieldset>
        </form>
        {{#problem}}<div class="notice error" role="alert"><p>{{problem}}</p></div>{{/problem}}
        {{#searched}}
        <section aria-labelledby="results-heading">
        <h2 id="results-heading">{{count}} record(s)</h2>
        {{#subjectHash}}<p>Subject searched by its keyed hash <code>{{subjectHash}}</code>.</p>{{/subjectHash}}
        <p>{{checkpointSummary}}</p>
        <div class="scroll" tabindex="0" role="region" aria-label="Audit records matching the filters"><table>
        <caption class="visually-hidden">Audit records matching the filters</caption>
        <thead><tr><th scope="col">#</th><th scope="col">Time (UTC)</th><th scope="col">Event</th><th scope="col">Actor</th>
        <th scope="col">Message</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Agreement</th>
        <th scope="col">Reason</th><th scope="col">Claims disclosed / withheld</th><th scope="col">Inclusion proof</th></tr></thead>
        <tbody>
        {{#rows}}<tr><td>{{index}}</td><td>{{time}}</td><td>{{event}}</td><td>{{actor}}</td><td>{{message}}</td><td>{{from}}</td>
        <td>{{to}}</td><td>{{agreement}}</td><td>{{reason}}</td><td>{{disclosed}}{{#withheld}}<br><span class="muted">withheld: {{withheld}}</span>{{/withheld}}</td>
        <td><span class="proof {{proofClass}}">{{proof}}</span>{{#indexNote}}<br><span class="proof bad">{{indexNote}}</span>{{/indexNote}}</td></tr>
        {{/rows}}
        </tbody></table></div>
        </section>
        {{/searched}}
        """

    static let flows = """
        <form method="get" action="/flows" class="filters">
        <label for="days">Days shown</label>
        <select id="days" name="days">{{#dayChoices}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/dayChoices}}</select>
        <button type="submit">Show</button>
        </form>
        <p>Deliveries from {{since}} to {{until}} UTC: {{total}} in all, picked up {{pickUps}} times (each pick-up is a <code>message.delivered</code> record; a recipient may pull a delivery again before acknowledging it). Viewing this page is recorded in the audit log.</p>
        <figure>{{{chart}}}<figcaption>Deliveries per day (UTC)</figcaption></figure>
        <div class="scroll" tabindex="0" role="region" aria-label="Deliveries by sender, recipient, message type and agreement"><table>
        <caption>Deliveries by sender, recipient, message type and agreement</caption>
        <thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Message type</th><th scope="col">Agreement</th><th scope="col">Deliveries</th><th scope="col">Pick-ups</th><th scope="col">Days with deliveries</th></tr></thead>
        <tbody>
        {{#flows}}<tr><td>{{from}}</td><td>{{to}}</td><td>{{type}}</td><td>{{agreement}}</td><td>{{count}}</td><td>{{pickUps}}</td><td>{{days}}</td></tr>
        {{/flows}}
        {{^flows}}<tr><td colspan="7">No deliveries in this period.</td></tr>{{/flows}}
        </tbody></table></div>
        """

    static let held = """
        <p>Messages held for a privacy officer's review: the flow holds every delivery, or this one met a condition of its <code>hold</code>.
        Open the content to see the values the recipient would receive before you decide; each view is recorded in the audit log.
        Approving releases the delivery to its recipient (or records your approval, where the flow needs more than one officer);
        rejecting refuses it and needs a reason. Both are recorded in the audit log with you as the actor.</p>
        {{^items}}<p class="notice ok">No messages are waiting for review.</p>{{/items}}
        {{#items}}
        <article class="held" aria-labelledby="held-{{deliveryID}}">
        <h2 id="held-{{deliveryID}}">Message {{messageID}} to {{recipient}}</h2>
        <dl>
        <dt>From</dt><dd>{{sender}}</dd>
        <dt>Received (UTC)</dt><dd>{{received}}</dd>
        <dt>Type</dt><dd>{{type}}</dd>
        <dt>Purpose</dt><dd>{{purpose}}</dd>
        <dt>Classification</dt><dd>{{classification}}</dd>
        {{#caseRef}}<dt>Case reference</dt><dd>{{caseRef}}</dd>{{/caseRef}}
        <dt>Agreement</dt><dd>{{agreement}}</dd>
        <dt>Held because</dt><dd>{{heldBecause}}</dd>
        <dt>Claims to be disclosed</dt><dd>{{disclosed}}</dd>
        <dt>Claims withheld</dt><dd>{{withheld}}</dd>
        </dl>
        {{#values}}
        <table>
        <caption>What {{recipient}} would receive</caption>
        <thead><tr><th scope="col">Claim</th><th scope="col">Value</th></tr></thead>
        <tbody>{{#rows}}<tr><td><code>{{path}}</code></td><td>{{value}}</td></tr>{{/rows}}</tbody>
        </table>
        <p>Approvals: {{approvals}}</p>
        {{/values}}
        {{^values}}<p><a href="{{reviewHref}}">Review the content of message {{messageID}} to {{recipient}}</a></p>{{/values}}
        <div class="actions">
        <form method="post" action="/held/approve"><input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="message" value="{{messageID}}"><input type="hidden" name="delivery" value="{{deliveryID}}">
        <button type="submit" aria-label="Approve message {{messageID}} to {{recipient}}">Approve</button></form>
        <form method="post" action="/held/reject"><input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="message" value="{{messageID}}"><input type="hidden" name="delivery" value="{{deliveryID}}">
        <label for="reason-{{deliveryID}}">Reason for rejecting</label>
        <input type="text" id="reason-{{deliveryID}}" name="reason" required maxlength="500">
        <button type="submit" class="danger" aria-label="Reject message {{messageID}} to {{recipient}}">Reject</button></form>
        </div>
        </article>
        {{/items}}
        {{#hasUndeliverable}}
        <section aria-labelledby="undeliverable-heading">
        <h2 id="undeliverable-heading">Pushes given up on</h2>
        <p>Deliveries the gateway could not push to their recipient's endpoint before the horizon (<code>push.horizon_seconds</code>).
        They wait in the recipient's inbox for pulling; ask the recipient to pull them or to fix its endpoint.</p>
        <div class="table"><table>
        <thead><tr><th scope="col">Delivery</th><th scope="col">Recipient</th><th scope="col">First try (UTC)</th><th scope="col">Last try (UTC)</th><th scope="col">Tries</th><th scope="col">Last failure</th></tr></thead>
        <tbody>
        {{#undeliverable}}<tr><td><code>{{deliveryID}}</code></td><td>{{recipient}}</td><td>{{firstAttempt}}</td><td>{{lastAttempt}}</td><td>{{attempts}}</td><td>{{lastFailure}}</td></tr>
        {{/undeliverable}}
        </tbody></table></div>
        </section>
        {{/hasUndeliverable}}
        """

    static let integrity = """
        <section aria-labelledby="checkpoint-heading">
        <h2 id="checkpoint-heading">Latest signed checkpoint</h2>
        {{#checkpoint}}
        <dl>
        <dt>Log</dt><dd><code>{{origin}}</code></dd>
        <dt>Leaves covered</dt><dd>{{size}}</dd>
        <dt>Root hash</dt><dd><code>{{root}}</code></dd>
        <dt>Signed at</dt><dd>{{created}} UTC</dd>
        <dt>Signature</dt><dd>{{signature}}</dd>
        </dl>
        <pre class="note">{{note}}</pre>
        {{/checkpoint}}
        {{^checkpoint}}<p>No checkpoint has been signed yet.</p>{{/checkpoint}}
        <p>The log holds {{leafCount}} leaves{{#unsigned}}; {{unsigned}} of them are not yet covered by a checkpoint{{/unsigned}}.</p>
        <p>Verifier key (give this to anyone who checks an export): <code>{{verifierKey}}</code></p>
        </section>
        <section aria-labelledby="verify-heading">
        <h2 id="verify-heading">Verify the whole log</h2>
        <p>Recomputes every leaf hash and the tree, and checks every checkpoint's signature and root. It runs in the
        background, one at a time; its page shows the progress. The result is recorded in the log as <code>audit.queried</code>.</p>
        {{#running}}<p class="notice warn" role="status">Verification {{id}}, started by <code>{{startedBy}}</code>, is running:
        {{checked}} of {{total}} leaves checked. <a href="/integrity/runs/{{id}}">See its progress</a>.</p>{{/running}}
        <form method="post" action="/integrity/verify"><input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">Run verification</button></form>
        {{#finished}}
        <h3>Last verification</h3>
        {{#result}}<div class="notice {{kind}}" role="status"><p><strong>{{headline}}</strong></p><p>{{detail}}</p></div>{{/result}}
        <p>Verification {{id}}, started by <code>{{startedBy}}</code> at {{startedAt}} UTC, finished at {{finishedAt}} UTC:
        {{checked}} of {{total}} leaves checked in {{elapsed}}. <a href="/integrity/runs/{{id}}">Details</a>.</p>
        {{#note}}<p class="notice warn">{{note}}</p>{{/note}}
        {{/finished}}
        </section>
        """

    /// One verification: progress while it runs (the page reloads itself), then its result.
    static let integrityRun = """
        {{#already}}<p class="notice warn" role="status">A verification was already running, so no second one was started: this is the one running.</p>{{/already}}
        <section aria-labelledby="run-heading">
        <h2 id="run-heading">{{#running}}Running{{/running}}{{^running}}Finished{{/running}}</h2>
        <p>Started by <code>{{startedBy}}</code> at {{startedAt}} UTC{{#finishedAt}}; finished at {{finishedAt}} UTC{{/finishedAt}}.</p>
        <p><label for="verify-progress">Leaves checked</label>
        <progress id="verify-progress" aria-describedby="verify-count" max="{{max}}" value="{{checked}}">{{checked}} of {{total}} leaves ({{percent}}%)</progress>
        <span id="verify-count">{{checked}} of {{total}} leaves ({{percent}}%)</span>{{#running}}, {{elapsed}} so far{{/running}}{{^running}}, in {{elapsed}}{{/running}}.</p>
        {{#running}}<p class="muted">This page reloads every 2 seconds until the verification finishes.</p>{{/running}}
        {{#result}}<div class="notice {{kind}}" role="status"><p><strong>{{headline}}</strong></p><p>{{detail}}</p></div>{{/result}}
        {{#note}}<p class="notice warn">{{note}}</p>{{/note}}
        </section>
        <p><a href="/integrity">Back to integrity</a></p>
        """
}
