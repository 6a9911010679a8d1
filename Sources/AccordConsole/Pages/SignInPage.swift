import AccordCore
import AccordAudit
import AccordCrypto
import AccordStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Signing in and out with a local account. Only where accounts are configured; operators
/// with certificates never see these pages.
extension Console {
    /// Longest name and password read from the form; anything longer is refused unread by scrypt.
    static let maximumNameLength = 256
    static let maximumPasswordLength = 1_024

    func signInForm(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        guard environment.accounts != nil else { return notConfigured() }
        if context.consoleOperator != nil { return Response(status: .seeOther, headers: [.location: "/"]) }
        return signInPage(message: nil, status: .ok, request: request)
    }

    func signIn(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        guard let accounts = environment.accounts else { return notConfigured() }
        if context.consoleOperator != nil { return Response(status: .seeOther, headers: [.location: "/"]) }
        let form = try await FormData.read(request, context: context)
        guard csrf.isValidSignIn(form["csrf"], nonce: request.cookies[SessionCookie.signInName]?.value) else {
            return signInPage(message: "The sign-in form had expired or was sent from elsewhere. Please try again.", status: .forbidden, request: nil)
        }
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = form["password"] ?? ""
        guard !name.isEmpty, !password.isEmpty, name.utf8.count <= Self.maximumNameLength, password.utf8.count <= Self.maximumPasswordLength else {
            return signInPage(message: "Enter your account name and password.", status: .badRequest, request: request)
        }
        let now = environment.now()
        switch await accounts.signIn(name: name, password: password, source: context.clientSource) {
        case .signedIn(let token, let person):
            do {
                _ = try await environment.store.append([AuditRecord(
                    event: .operatorSignedIn, time: now, actor: person.actor, details: ["method": "password"])])
            } catch {
                // A sign-in the log cannot record does not happen.
                await accounts.signOut(token: token)
                context.logger.error("console sign-in not recorded; refused", metadata: ["error": "\(error)"])
                return signInPage(message: "Signing in is unavailable just now (the audit log could not record it). Try again shortly.",
                                  status: .serviceUnavailable, request: request)
            }
            context.logger.notice("console sign-in", metadata: ["operator": "\(person.actor)"])
            var response = Response(status: .seeOther, headers: [.location: "/"])
            response.headers.append(SessionCookie.setting(SessionCookie.name, token))
            response.headers.append(SessionCookie.clearing(SessionCookie.signInName))
            return response
        case .refused:
            context.logger.notice("console sign-in refused: wrong name or password")
            return signInPage(message: "That name and password do not match an account.", status: .forbidden, request: request)
        case .lockedOut(let known, let newly):
            if newly {
                // Only a name that is an account is recorded: a name field sometimes holds a mistyped password.
                _ = try? await environment.store.append([AuditRecord(
                    event: .operatorLockedOut, time: now, actor: "urn:accord:console",
                    details: known.map { ["account": $0] } ?? ["account": "(not an account)"])])
                context.logger.warning("console sign-in locked after repeated failures", metadata: ["account": "\(known ?? "(not an account)")"])
            }
            return signInPage(message: "Too many failed attempts: signing in with this name is paused for a while. Try later or ask an administrator.",
                              status: .tooManyRequests, request: request)
        case .busy:
            var response = signInPage(message: "Too many sign-ins from here just now; try again in a moment.", status: .serviceUnavailable, request: request)
            response.headers[.retryAfter] = "2"
            return response
        case .unavailable:
            let problem = await accounts.loadProblem.map { "\($0)" } ?? "unknown"
            context.logger.error("console accounts file does not load; sign-in refused", metadata: ["problem": "\(problem)"])
            return signInPage(message: "Signing in with a password is unavailable: the accounts file does not load. An administrator must fix it.",
                              status: .serviceUnavailable, request: request)
        }
    }

    func signOut(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(nil, request, context, form: true) { person, _ in
            guard let accounts = environment.accounts, person.usesAccount,
                  let token = request.cookies[SessionCookie.name]?.value else {
                return renderer.error(.badRequest, title: "Nothing to sign out",
                                      message: "You are signed in with a certificate; close the browser to end it.", operator: person)
            }
            await accounts.signOut(token: token)
            _ = try? await environment.store.append([AuditRecord(event: .operatorSignedOut, time: environment.now(), actor: person.actor)])
            var response = Response(status: .seeOther, headers: [.location: SessionCookie.signInPath])
            response.headers.append(SessionCookie.clearing(SessionCookie.name))
            return response
        }
    }

    /// The form, with the token bound to the browser's nonce cookie. A browser that already
    /// has a nonce keeps it: it may load the page twice (a favicon that is redirected here, a
    /// second tab), and a new nonce would invalidate the form it is showing. After a refused
    /// token (`request` nil) it gets a fresh one.
    private func signInPage(message: String?, status: HTTPResponse.Status, request: Request?) -> Response {
        let kept = request?.cookies[SessionCookie.signInName]?.value.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        let nonce = kept.flatMap { $0.count >= 32 ? $0 : nil } ?? Base64URL.encode((try? SecureRandom.bytes(24)) ?? [])
        var response = renderer.page("signin", title: "Sign in", data: [
            "csrf": csrf.signInToken(nonce: nonce), "message": message ?? "", "hasMessage": message != nil,
        ], operator: nil, status: status)
        response.headers.append(SessionCookie.setting(SessionCookie.signInName, nonce, maxAge: 1_800))
        return response
    }

    private func notConfigured() -> Response {
        renderer.error(.notFound, title: "No local accounts",
                       message: "This console admits operators by client certificate only.", operator: nil)
    }
}
