import AccordPostgres
import AccordTestSupport
import Testing

@Suite("PGConnection on a real PostgreSQL server", .needsPostgreSQLServer)
struct PGConnectionTests {
    @Test("text and bytes arrive exactly as given, quotes, backslashes and zero bytes included")
    func parametersAreBinarySafe() async throws {
        try await PostgresCluster.with { cluster in
            let connection = try await PGConnection.connect(cluster.url)
            let text = "O'Brien \\ \"quoted\" ; DROP TABLE x; -- é 🚀"
            let bytes: [UInt8] = [0, 1, 0x5c, 0x27, 0xff, 0, 0x78]
            let result = try await connection.execute(
                "SELECT $1::text AS t, $2::bytea AS b, $3::bigint AS i, $4::boolean AS f, $5::text AS n",
                [.text(text), .bytes(bytes), .int(-9_007_199_254_740_993), .bool(true), .null]
            )
            let row = try #require(result.rows.first)
            #expect(try row.string(row.column("t")) == text)
            #expect(try row.bytes(row.column("b")) == bytes)
            #expect(try row.int(row.column("i")) == -9_007_199_254_740_993)
            #expect(try row.bool(row.column("f")) == true)
            #expect(row.isNull(try row.column("n")))
        }
    }

    @Test("a prepared statement runs many times with different parameters, on every connection of a pool")
    func preparedStatements() async throws {
        try await PostgresCluster.with { cluster in
            let pool = PGPool(url: cluster.url, maximumConnections: 3)
            _ = try await pool.execute("CREATE TABLE items (id bigint PRIMARY KEY, body bytea NOT NULL)")
            let insert = PGStatement("INSERT INTO items (id, body) VALUES ($1, $2)")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in 1...30 {
                    group.addTask { _ = try await pool.execute(insert, [.int(Int64(id)), .bytes([UInt8(id), 0])]) }
                }
                try await group.waitForAll()
            }
            let rows = try await pool.execute("SELECT id, body FROM items ORDER BY id").rows
            #expect(try rows.map { try $0.int(0) } == (1...30).map { Int64($0) })
            #expect(try rows.map { try $0.bytes(1) } == (1...30).map { [UInt8($0), 0] })
            let connection = try await PGConnection.connect(cluster.url)
            _ = try await connection.execute(insert, [.int(31), .bytes([])])
            _ = try await connection.execute(insert, [.int(32), .bytes([1])])
            let prepared = try await connection.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", [.text(insert.sql)])
            #expect(try prepared.rows.first?.int(0) == 1, "prepared once on this connection, then reused")
            #expect(try await connection.execute("SELECT body FROM items WHERE id = 31").rows.first?.bytes(0) == [])
        }
    }

    @Test("a transaction commits when its body returns and rolls back when it throws")
    func transactionsCommitOrRollBack() async throws {
        try await PostgresCluster.with { cluster in
            let connection = try await PGConnection.connect(cluster.url)
            _ = try await connection.execute("CREATE TABLE notes (body text NOT NULL)")
            try await connection.transaction { transaction in
                _ = try transaction.execute("INSERT INTO notes VALUES ($1)", ["kept"])
            }
            struct Abandon: Error {}
            await #expect(throws: Abandon.self) {
                try await connection.transaction { transaction in
                    _ = try transaction.execute("INSERT INTO notes VALUES ($1)", ["dropped"])
                    throw Abandon()
                }
            }
            let rows = try await connection.execute("SELECT body FROM notes").rows
            #expect(try rows.map { try $0.string(0) } == ["kept"])
        }
    }

    @Test("serializable transactions that collide are run again until all of them have counted")
    func serializationFailuresAreRetried() async throws {
        try await PostgresCluster.with { cluster in
            let pool = PGPool(url: cluster.url, maximumConnections: 4)
            _ = try await pool.execute("CREATE TABLE counter (value bigint NOT NULL)")
            _ = try await pool.execute("INSERT INTO counter VALUES (0)")
            let increments = 24
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<increments {
                    group.addTask {
                        try await pool.transaction(.serializable, attempts: 100) { transaction in
                            let current = try transaction.execute("SELECT value FROM counter").rows[0].int(0) ?? 0
                            _ = try transaction.execute("UPDATE counter SET value = $1", [.int(current + 1)])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let value = try await pool.execute("SELECT value FROM counter").rows[0].int(0)
            #expect(value == Int64(increments))
        }
    }

    @Test("a refused statement is one PGError with its SQLSTATE, and its message never holds a parameter value")
    func errorsCarrySQLStateWithoutValues() async throws {
        try await PostgresCluster.with { cluster in
            let connection = try await PGConnection.connect(cluster.url)
            _ = try await connection.execute("CREATE TABLE secrets (name text PRIMARY KEY, amount integer)")
            let secret = "secret-value-7f3a"
            _ = try await connection.execute("INSERT INTO secrets (name) VALUES ($1)", [.text(secret)])

            let duplicate = await #expect(throws: PGError.self) {
                _ = try await connection.execute("INSERT INTO secrets (name) VALUES ($1)", [.text(secret)])
            }
            #expect(duplicate?.sqlState == "23505")
            #expect(duplicate?.isUniqueViolation == true)
            #expect(duplicate.map { !"\($0)".contains(secret) } == true)

            let malformed = await #expect(throws: PGError.self) {
                _ = try await connection.execute("INSERT INTO secrets (name, amount) VALUES ('x', $1::text::integer)", [.text(secret)])
            }
            #expect(malformed?.sqlState == "22P02")
            #expect(malformed.map { !"\($0)".contains(secret) } == true)

            let unknown = await #expect(throws: PGError.self) {
                _ = try await connection.execute("SELECT * FROM missing_table")
            }
            #expect(unknown?.sqlState == "42P01")
            #expect(unknown.map { "\($0)".contains("missing_table") } == true, "schema names are kept to say where")
        }
    }

    @Test("a server that cannot be reached is a connection error naming no statement")
    func unreachableServer() async throws {
        try await PostgresCluster.with { cluster in
            let refused = await #expect(throws: PGError.self) {
                _ = try await PGConnection.connect("postgresql://accord@127.0.0.1:\(cluster.port)/no_such_database")
            }
            #expect(refused?.kind == .connection)
            #expect(refused.map { "\($0)".contains("no_such_database") } == true)
        }
    }

    @Test("a NOTIFY on one connection reaches another that listens on the channel")
    func listenAndNotify() async throws {
        try await PostgresCluster.with { cluster in
            let listener = try await PGConnection.connect(cluster.url)
            let sender = try await PGConnection.connect(cluster.url)
            try await listener.listen("agreements changed")
            #expect(try await listener.nextNotification(timeout: .milliseconds(50)) == nil)
            try await sender.notify("agreements changed", payload: "digest-1")
            let notification = try await listener.nextNotification(timeout: .seconds(30))
            #expect(notification?.channel == "agreements changed")
            #expect(notification?.payload == "digest-1")
        }
    }
}
