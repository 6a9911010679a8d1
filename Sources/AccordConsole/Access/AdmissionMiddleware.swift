import AccordCrypto
import AccordTLS
import HTTPTypes
import Hummingbird

/// Admits operators by their certificate and refuses everyone else with 403, and sets the
/// security headers of every console response.
struct AdmissionMiddleware: RouterMiddleware {
    typealias Context = ConsoleRequestContext
    let environment: ConsoleEnvironment
    let renderer: PageRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let response: Response
        if request.uri.path == "/static/console.css" {
            response = try await next(request, context)
        } else {
            switch Self.admission(environment.identify(request)) {
            case .refused(let reason):
                response = renderer.error(.forbidden, title: "Not allowed", message: reason, operator: nil)
            case .admitted(let person):
                context.consoleOperator = person
                response = try await next(request, context)
            }
        }
        return SecurityHeaders.apply(to: response)
    }

    static func admission(_ identity: TLSPeer.Identity?) -> ConsoleAdmission {
        switch identity {
        case .none: ConsoleAdmission(String?.none, role: nil, name: nil)
        case .agency(let agency): ConsoleAdmission("agency \(agency.agencyID)", role: nil, name: nil)
        case .operator(let role, let name): ConsoleAdmission("operator \(name)", role: role, name: name)
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
