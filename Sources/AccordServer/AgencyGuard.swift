import AccordGateway
import AccordTLS
import Hummingbird

/// Admits a request to the agency API only from a verified agency certificate, within its
/// connection and request-rate limits; answers everything else with a problem.
struct AgencyGuard: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let rateLimiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let agency = context.peer?.agencyID else {
            return ProblemResponse.make(GatewayProblem(
                code: "not-an-agency", status: 403, title: "An agency certificate is required",
                detail: "the TLS client certificate does not carry an agency identity (urn:accord:agency:<id>)"))
        }
        if context.overConnectionLimit {
            var response = ProblemResponse.make(GatewayProblem(
                code: "too-many-connections", status: 429, title: "Too many connections",
                detail: "agency '\(agency)' has more connections open than its limit; reuse or close connections", retryAfter: 1))
            response.headers[.connection] = "close"
            return response
        }
        if let wait = rateLimiter.take(agency) {
            return ProblemResponse.make(GatewayProblem(
                code: "rate-limited", status: 429, title: "Too many requests",
                detail: "agency '\(agency)' is over its request rate; retry after \(wait) s", retryAfter: wait))
        }
        return try await next(request, context)
    }
}

/// Answers errors thrown anywhere below it (unknown routes, bad methods, bodies over the
/// limit) as problem details rather than Hummingbird's plain text.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as GatewayProblem {
            return ProblemResponse.make(problem, instance: request.uri.path)
        } catch let error as HTTPError {
            let code: String
            switch error.status.code {
            case 404: code = "not-found"
            case 405: code = "method-not-allowed"
            case 413: code = "body-too-large"
            default: code = "http-\(error.status.code)"
            }
            return ProblemResponse.make(GatewayProblem(
                code: code, status: Int(error.status.code), title: error.status.reasonPhrase,
                detail: error.body ?? "\(request.method) \(request.uri.path): \(error.status.reasonPhrase)"), instance: request.uri.path)
        }
    }
}
