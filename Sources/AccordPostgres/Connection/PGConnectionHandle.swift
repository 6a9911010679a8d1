internal import CLibPQ

/// The `PGconn*` itself, freed in deinit. Not thread-safe: only its connection's queue touches it.
final class PGConnectionHandle {
    private let connection: OpaquePointer
    private var preparedNames: [String: String] = [:]
    private var pendingNotifications: [PGNotification] = []

    init(url: String) throws(PGError) {
        guard let connection = PQconnectdb(url) else {
            throw PGError(.connection, "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.connectionMessage(connection)
            PQfinish(connection)
            throw PGError(.connection, message)
        }
        self.connection = connection
    }

    deinit { PQfinish(connection) }

    var isUsable: Bool { PQstatus(connection) == CONNECTION_OK }

    func execute(_ sql: String, _ parameters: [PGValue]) throws(PGError) -> PGResult {
        try withParameters(parameters) { count, types, values, lengths, formats in
            PQexecParams(connection, sql, count, types, values, lengths, formats, 0)
        }
    }

    /// Runs several statements separated by semicolons, without parameters: for schema scripts,
    /// since the parameterised call takes one statement at a time.
    func executeScript(_ sql: String) throws(PGError) {
        _ = try consume(PQexec(connection, sql))
    }

    func execute(_ statement: PGStatement, _ parameters: [PGValue]) throws(PGError) -> PGResult {
        let name = try preparedName(statement, parameters)
        return try withParameters(parameters) { count, _, values, lengths, formats in
            PQexecPrepared(connection, name, count, values, lengths, formats, 0)
        }
    }

    /// Waits up to `milliseconds` for a NOTIFY on a channel this connection listens to.
    func nextNotification(milliseconds: Int32) throws(PGError) -> PGNotification? {
        if let first = takeNotification() { return first }
        var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
        guard descriptor.fd >= 0 else { throw PGError(.connection, "the connection has no socket") }
        let ready = poll(&descriptor, 1, milliseconds)
        guard ready > 0 else { return nil }
        guard PQconsumeInput(connection) == 1 else {
            throw PGError(.connection, Self.connectionMessage(connection))
        }
        return takeNotification()
    }

    private func takeNotification() -> PGNotification? {
        if PQconsumeInput(connection) == 1 {
            while let notice = PQnotifies(connection) {
                let notification = PGNotification(
                    channel: String(cString: notice.pointee.relname),
                    payload: String(cString: notice.pointee.extra)
                )
                PQfreemem(notice)
                pendingNotifications.append(notification)
            }
        }
        return pendingNotifications.isEmpty ? nil : pendingNotifications.removeFirst()
    }

    private func preparedName(_ statement: PGStatement, _ parameters: [PGValue]) throws(PGError) -> String {
        if let name = preparedNames[statement.sql] { return name }
        let name = "accord_\(preparedNames.count + 1)"
        // The types come from the first call's parameters; a NULL leaves its type to the server.
        let types = parameters.map { Oid($0.encoded.type) }
        let result = types.withUnsafeBufferPointer { buffer in
            PQprepare(connection, name, statement.sql, Int32(types.count), buffer.baseAddress)
        }
        _ = try consume(result)
        preparedNames[statement.sql] = name
        return name
    }

    private func withParameters(
        _ parameters: [PGValue],
        _ run: (Int32, UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> OpaquePointer?
    ) throws(PGError) -> PGResult {
        let encoded = parameters.map(\.encoded)
        let types = encoded.map { Oid($0.type) }
        let lengths = encoded.map { Int32($0.bytes?.count ?? 0) }
        let formats = [Int32](repeating: 1, count: encoded.count)
        var buffers: [UnsafeMutableRawPointer?] = []
        defer { buffers.forEach { $0?.deallocate() } }
        for parameter in encoded {
            guard let bytes = parameter.bytes else {
                buffers.append(nil)
                continue
            }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
            UnsafeMutableRawBufferPointer(start: buffer, count: bytes.count).copyBytes(from: bytes)
            buffers.append(buffer)
        }
        let values = buffers.map { $0.map { UnsafePointer($0.assumingMemoryBound(to: CChar.self)) } }
        let result = types.withUnsafeBufferPointer { types in
            values.withUnsafeBufferPointer { values in
                lengths.withUnsafeBufferPointer { lengths in
                    formats.withUnsafeBufferPointer { formats in
                        run(Int32(encoded.count), types.baseAddress, values.baseAddress, lengths.baseAddress, formats.baseAddress)
                    }
                }
            }
        }
        return try consume(result)
    }

    /// Reads and frees `result`, turning a failed one into a `PGError`.
    private func consume(_ result: OpaquePointer?) throws(PGError) -> PGResult {
        guard let result else { throw PGError(.connection, Self.connectionMessage(connection)) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return Self.read(result)
        default:
            guard let sqlState = Self.field(result, accord_PG_DIAG_SQLSTATE) else {
                throw PGError(.connection, Self.connectionMessage(connection))
            }
            throw PGError.server(
                sqlState: sqlState,
                primary: Self.field(result, Int32(UInt8(ascii: "M"))) ?? "statement failed",
                constraint: Self.field(result, accord_PG_DIAG_CONSTRAINT_NAME),
                table: Self.field(result, accord_PG_DIAG_TABLE_NAME),
                column: Self.field(result, accord_PG_DIAG_COLUMN_NAME)
            )
        }
    }

    private static func read(_ result: OpaquePointer) -> PGResult {
        let columnCount = PQnfields(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        let types = (0..<columnCount).map { UInt32(PQftype(result, $0)) }
        let rows = (0..<PQntuples(result)).map { row in
            PGRow(columns: columns, types: types, values: (0..<columnCount).map { column -> [UInt8]? in
                guard PQgetisnull(result, row, column) == 0, let value = PQgetvalue(result, row, column) else { return nil }
                let length = Int(PQgetlength(result, row, column))
                return value.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
            })
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PGResult(rows: rows, affectedRows: affected)
    }

    private static func field(_ result: OpaquePointer, _ code: Int32) -> String? {
        PQresultErrorField(result, code).map { String(cString: $0) }
    }

    /// libpq's connection-level message (host, user, TLS, authentication): it never holds statement parameters.
    private static func connectionMessage(_ connection: OpaquePointer) -> String {
        String(cString: PQerrorMessage(connection)).trimmingWhitespace()
    }
}

extension Substring {
    fileprivate func trimmingPrefixAndSuffixSpaces() -> Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return text
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        split(whereSeparator: \.isNewline).map { $0.trimmingPrefixAndSuffixSpaces() }.joined(separator: "; ")
    }
}
