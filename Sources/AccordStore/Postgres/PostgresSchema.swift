import AccordPostgres

/// The PostgreSQL schema as versioned migrations, applied at start by one node at a time under
/// an advisory lock. It holds what the SQLite schema holds after its v7 (Schema.swift), with
/// the same column names and millisecond times, so `accord migrate` copies rows as they are.
/// INVARIANT: a migration, once shipped, is never edited; changes come as new ones appended.
enum PostgresSchema {
    /// The advisory lock key every node takes while migrating ("accord" in ASCII).
    static let migrationLock: Int64 = 0x6163_636F_7264

    static let migrations: [(name: String, sql: String)] = [
        ("v1-gateway", """
            CREATE TABLE audit_leaf (
                idx bigint PRIMARY KEY,
                leaf bytea NOT NULL,
                leaf_hash bytea NOT NULL CHECK (length(leaf_hash) = 32),
                time_ms bigint NOT NULL,
                event text NOT NULL,
                actor text NOT NULL,
                message_id text,
                agreement_id text
            );
            CREATE INDEX audit_leaf_time ON audit_leaf(time_ms);
            CREATE INDEX audit_leaf_message ON audit_leaf(message_id);
            CREATE INDEX audit_leaf_agreement ON audit_leaf(agreement_id);
            CREATE INDEX audit_leaf_event ON audit_leaf(event);
            CREATE TABLE audit_party (
                idx bigint NOT NULL REFERENCES audit_leaf(idx),
                agency text NOT NULL,
                PRIMARY KEY (agency, idx)
            );
            CREATE INDEX audit_party_leaf ON audit_party(idx);
            CREATE TABLE audit_subject (
                idx bigint NOT NULL REFERENCES audit_leaf(idx),
                type text NOT NULL,
                hmac text NOT NULL,
                PRIMARY KEY (hmac, type, idx)
            );
            CREATE INDEX audit_subject_leaf ON audit_subject(idx);
            CREATE TABLE audit_checkpoint (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                size bigint NOT NULL,
                root bytea NOT NULL,
                note text NOT NULL,
                created_ms bigint NOT NULL
            );
            CREATE INDEX audit_checkpoint_size ON audit_checkpoint(size);
            CREATE TABLE tree_state (
                id integer PRIMARY KEY CHECK (id = 1),
                size bigint NOT NULL,
                edge bytea NOT NULL,
                inbox_seq bigint NOT NULL
            );
            INSERT INTO tree_state (id, size, edge, inbox_seq) VALUES (1, 0, '\\x', 0);
            CREATE TABLE checkpoint_lease (
                id integer PRIMARY KEY CHECK (id = 1),
                holder text,
                expires_at timestamptz NOT NULL
            );
            INSERT INTO checkpoint_lease (id, holder, expires_at) VALUES (1, NULL, '-infinity');
            CREATE TABLE message (
                id text PRIMARY KEY,
                sender text NOT NULL,
                sd_jwt text,
                submission_digest text NOT NULL,
                received_ms bigint NOT NULL,
                retain_until_ms bigint NOT NULL,
                purged_ms bigint
            );
            CREATE INDEX message_retention ON message(retain_until_ms) WHERE sd_jwt IS NOT NULL;
            CREATE TABLE delivery (
                row_id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
                id text PRIMARY KEY,
                message_id text NOT NULL REFERENCES message(id),
                recipient text NOT NULL,
                state text NOT NULL CHECK (state IN ('pending','delivered','acknowledged','held','rejected','expired','waiting')),
                attempts bigint NOT NULL DEFAULT 0,
                updated_ms bigint NOT NULL,
                available_seq bigint,
                sd_jwt text,
                sender text,
                message_type text,
                purpose text,
                agreement_id text,
                agreement_digest text,
                withheld text,
                received_ms bigint,
                handling text,
                subjects text,
                binding text
            );
            CREATE INDEX delivery_message ON delivery(message_id);
            CREATE INDEX delivery_inbox_available ON delivery(recipient, state, available_seq);
            CREATE INDEX delivery_state ON delivery(state);
            CREATE INDEX delivery_agreement ON delivery(agreement_id, state);
            CREATE TABLE agreement_set (
                version bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                digest text NOT NULL,
                content bytea NOT NULL,
                activated_by text NOT NULL,
                activated_ms bigint NOT NULL,
                audit_leaf bigint REFERENCES audit_leaf(idx)
            );
            CREATE TABLE push (
                delivery_id text PRIMARY KEY,
                recipient text NOT NULL,
                state text NOT NULL,
                first_attempt_ms bigint NOT NULL,
                last_attempt_ms bigint NOT NULL,
                attempts bigint NOT NULL,
                next_attempt_ms bigint NOT NULL,
                last_failure text
            );
            CREATE INDEX push_state ON push(state, first_attempt_ms);
            CREATE INDEX push_recipient ON push(recipient);
            CREATE FUNCTION accord_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'integrity_constraint_violation';
            END $$;
            CREATE TRIGGER audit_leaf_append_only BEFORE UPDATE OR DELETE ON audit_leaf FOR EACH ROW EXECUTE FUNCTION accord_refuse_change();
            CREATE TRIGGER audit_party_append_only BEFORE UPDATE OR DELETE ON audit_party FOR EACH ROW EXECUTE FUNCTION accord_refuse_change();
            CREATE TRIGGER audit_subject_append_only BEFORE UPDATE OR DELETE ON audit_subject FOR EACH ROW EXECUTE FUNCTION accord_refuse_change();
            CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint FOR EACH ROW EXECUTE FUNCTION accord_refuse_change();
            CREATE TRIGGER agreement_set_append_only BEFORE UPDATE OR DELETE ON agreement_set FOR EACH ROW EXECUTE FUNCTION accord_refuse_change();
            """),
        // Witnesses' cosignatures of checkpoints (docs/audit.md, "Witnesses"), as SQLite's v8.
        ("v2-checkpoint-cosignature", """
            CREATE TABLE checkpoint_cosignature (
                size bigint NOT NULL,
                witness text NOT NULL,
                signature_line text NOT NULL,
                received_ms bigint NOT NULL,
                PRIMARY KEY (size, witness)
            );
            """),
        // The verifier key of the audit key signing checkpoints now, set by a rotation, so that
        // every node knows whether its own key may sign (docs/operations.md, "PostgreSQL").
        ("v3-audit-key", """
            ALTER TABLE tree_state ADD COLUMN audit_key text;
            """),
        // Which node pushes each recipient's deliveries, and until when (`PostgresPushLease`).
        ("v4-push-lease", """
            CREATE TABLE push_lease (
                recipient text PRIMARY KEY,
                holder text NOT NULL,
                expires_at timestamptz NOT NULL
            );
            """),
    ]

    /// Applies the migrations not applied yet, in one transaction holding the advisory lock, so
    /// that nodes starting together migrate once and each waits for the schema it needs.
    static func migrate(_ connection: PGConnection) async throws {
        try await connection.transaction { transaction in
            _ = try transaction.execute("SELECT pg_advisory_xact_lock($1)", [.int(migrationLock)])
            _ = try transaction.execute("CREATE TABLE IF NOT EXISTS accord_migration (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
            let applied = Set(try transaction.execute("SELECT name FROM accord_migration").rows.compactMap { try $0.string(0) })
            // An older binary on a schema a newer one migrated would write with queries that
            // may no longer fit it: it refuses to start instead (docs/operations.md).
            let unknown = applied.subtracting(migrations.map(\.name))
            guard unknown.isEmpty else { throw StoreError.schemaNewer(unknown) }
            for migration in migrations where !applied.contains(migration.name) {
                try transaction.executeScript(migration.sql)
                _ = try transaction.execute("INSERT INTO accord_migration (name) VALUES ($1)", [.text(migration.name)])
            }
        }
    }
}
