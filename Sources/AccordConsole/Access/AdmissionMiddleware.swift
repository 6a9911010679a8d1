import AccordCrypto
import AccordTLS
import HTTPTypes
import Hummingbird

/// Admits operators by their certificate or, where local accounts are configured, by their
/// session cookie, and refuses everyone else with 403 (a browser without a session is sent
/// to the sign-in page). Sets the security headers of every console response.
struct AdmissionMiddleware: RouterMiddleware {
    typealias Context = ConsoleRequestContext
    let environment: ConsoleEnvironment
    let renderer: PageRenderer

    /// Paths open without an operator: the stylesheet, and signing in where accounts exist.
    static let openPaths: Set<String> = ["/static/console.css", "/favicon.ico", SessionCookie.signInPath]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let response: Response
        let path = request.uri.path
        let identity = environment.identify(request)
        if let accounts = environment.accounts, identity == nil {
            // No certificate, and local accounts are configured: the session cookie decides.
            if let token = request.cookies[SessionCookie.name]?.value, let person = await accounts.session(token: token) {
                context.consoleOperator = person
                response = try await next(request, context)
            } else if Self.openPaths.contains(path) {
                response = try await next(request, context)
            } else if request.method == .get || request.method == .head {
                var redirect = Response(status: .seeOther, headers: [.location: SessionCookie.signInPath])
                if request.cookies[SessionCookie.name] != nil { redirect.headers.append(SessionCookie.clearing(SessionCookie.name)) }
                response = redirect
            } else {
                response = renderer.error(.forbidden, title: "Not signed in",
                                          message: "Your session has ended or you have not signed in. Sign in and try again.", operator: nil)
            }
        } else {
            switch Self.admission(identity) {
            case .admitted(let person):
                context.consoleOperator = person
                response = try await next(request, context)
            case .refused where path == "/static/console.css" || path == "/favicon.ico":
                response = try await next(request, context)
            case .refused(let reason):
                response = renderer.error(.forbidden, title: "Not allowed", message: reason, operator: nil)
            }
        }
        return SecurityHeaders.apply(to: response)
    }

    static func admission(_ identity: TLSPeer.Identity?) -> ConsoleAdmission {
        switch identity {
        case .none: ConsoleAdmission(String?.none, role: nil, name: nil)
        case .agency(let agency): ConsoleAdmission("agency \(agency.agencyID)", role: nil, name: nil)
        case .operator(let role, let name): ConsoleAdmission("operator \(name)", role: role, name: name)
        case .gateway(let name): ConsoleAdmission("gateway \(name)", role: nil, name: nil)
        }
    }
}

/// Headers that keep the console's pages from being framed, cached, sniffed or made to load
/// anything from elsewhere.
enum SecurityHeaders {
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

    static func apply(to response: Response) -> Response {
        var response = response
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[referrerPolicy] = "no-referrer"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

/// The console's cookies. The `__Host-` prefix makes browsers refuse them unless they are
/// `Secure`, have `Path=/` and no `Domain`, so no other host or path can set or shadow them.
enum SessionCookie {
    /// The session: a random 256-bit bearer value; the server keeps only its hash.
    static let name = "__Host-accord-session"
    /// The sign-in form's nonce, for its CSRF token.
    static let signInName = "__Host-accord-signin"
    static let signInPath = "/signin"

    static func setting(_ name: String, _ value: String, maxAge: Int? = nil) -> HTTPField {
        HTTPField(name: .setCookie, value: "\(name)=\(value); Path=/; Secure; HttpOnly; SameSite=Strict" + (maxAge.map { "; Max-Age=\($0)" } ?? ""))
    }

    static func clearing(_ name: String) -> HTTPField {
        HTTPField(name: .setCookie, value: "\(name)=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0")
    }
}
