import AccordGateway
import Hummingbird

/// Answers a method a path does not take with 405 and `Allow` (RFC 9110 §15.5.6), so that a
/// client that used the wrong method learns the path exists, and which methods it takes,
/// instead of a 404 that says the path is not there.
enum MethodNotAllowed {
    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]

    static func register<Routes: RouterMethods>(_ path: RouterPath, allowing allowed: [HTTPRequest.Method], on routes: Routes) {
        // HEAD is answered wherever GET is.
        let allowed = allowed.contains(.get) ? allowed + [.head] : allowed
        let allow = methods.filter(allowed.contains).map(\.rawValue).joined(separator: ", ")
        for method in methods where !allowed.contains(method) {
            routes.on(path, method: method) { request, _ -> Response in
                var response = ProblemResponse.make(GatewayProblem(
                    code: "method-not-allowed", status: 405, title: "Method not allowed",
                    detail: "\(request.uri.path) takes \(allow), not \(request.method.rawValue)"))
                response.headers[.allow] = allow
                return response
            }
        }
    }
}
