import GRDB

/// The database schema as migrations. INVARIANT: a migration, once shipped, is never edited;
/// changes come as new migrations appended here.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-audit-and-messages") { db in
            try db.execute(sql: """
                CREATE TABLE audit_leaf (
                    idx INTEGER PRIMARY KEY,
                    leaf BLOB NOT NULL,
                    leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
                    time_ms INTEGER NOT NULL,
                    event TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    message_id TEXT,
                    agreement_id TEXT
                );
                CREATE INDEX audit_leaf_time ON audit_leaf(time_ms);
                CREATE INDEX audit_leaf_message ON audit_leaf(message_id);
                CREATE INDEX audit_leaf_agreement ON audit_leaf(agreement_id);
                CREATE INDEX audit_leaf_event ON audit_leaf(event);
                CREATE TABLE audit_party (
                    idx INTEGER NOT NULL REFERENCES audit_leaf(idx),
                    agency TEXT NOT NULL,
                    PRIMARY KEY (agency, idx)
                ) WITHOUT ROWID;
                CREATE TABLE audit_subject (
                    idx INTEGER NOT NULL REFERENCES audit_leaf(idx),
                    type TEXT NOT NULL,
                    hmac TEXT NOT NULL,
                    PRIMARY KEY (hmac, type, idx)
                ) WITHOUT ROWID;
                CREATE TABLE audit_checkpoint (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    size INTEGER NOT NULL,
                    root BLOB NOT NULL,
                    note TEXT NOT NULL,
                    created_ms INTEGER NOT NULL
                );
                CREATE TABLE tree_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    size INTEGER NOT NULL,
                    edge BLOB NOT NULL
                );
                CREATE TABLE message (
                    id TEXT PRIMARY KEY,
                    sender TEXT NOT NULL,
                    sd_jwt TEXT,
                    submission_digest TEXT NOT NULL,
                    received_ms INTEGER NOT NULL,
                    retain_until_ms INTEGER NOT NULL,
                    purged_ms INTEGER
                );
                CREATE INDEX message_retention ON message(retain_until_ms) WHERE sd_jwt IS NOT NULL;
                CREATE TABLE delivery (
                    id TEXT PRIMARY KEY,
                    message_id TEXT NOT NULL REFERENCES message(id),
                    recipient TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending','delivered','acknowledged','held','rejected','expired')),
                    presentation TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    updated_ms INTEGER NOT NULL
                );
                CREATE INDEX delivery_inbox ON delivery(recipient, state);
                CREATE INDEX delivery_message ON delivery(message_id);
                CREATE TABLE agreement_set (
                    version INTEGER PRIMARY KEY AUTOINCREMENT,
                    digest TEXT NOT NULL,
                    content BLOB NOT NULL,
                    activated_by TEXT NOT NULL,
                    activated_ms INTEGER NOT NULL,
                    audit_leaf INTEGER REFERENCES audit_leaf(idx)
                );
                """)
            for table in ["audit_leaf", "audit_party", "audit_subject", "audit_checkpoint", "agreement_set"] {
                for action in ["UPDATE", "DELETE"] {
                    try db.execute(sql: """
                        CREATE TRIGGER \(table)_refuse_\(action.lowercased()) BEFORE \(action) ON \(table)
                        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: \(action) on \(table) refused'); END
                        """)
                }
            }
        }
        // Each delivery gets a sequence when it becomes available to its recipient (accepted
        // pending, or released from held), so that an inbox cursor never passes a delivery that
        // becomes available later. Deliveries available before this migration keep their rowid,
        // the position cursors named until now, so a cursor taken before the upgrade keeps its
        // meaning; the counter starts above every rowid.
        migrator.registerMigration("v2-inbox-availability-sequence") { db in
            try db.execute(sql: """
                ALTER TABLE delivery ADD COLUMN available_seq INTEGER;
                UPDATE delivery SET available_seq = rowid WHERE state IN ('pending', 'delivered');
                CREATE TABLE inbox_sequence (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    value INTEGER NOT NULL
                );
                INSERT INTO inbox_sequence (id, value) SELECT 1, coalesce(max(rowid), 0) FROM delivery;
                DROP INDEX delivery_inbox;
                CREATE INDEX delivery_inbox_available ON delivery(recipient, state, available_seq);
                """)
        }
        // A delivery whose agreement is no longer in force waits (`waiting`) instead of being
        // handed out. SQLite cannot change a CHECK constraint in place, so the table is rebuilt
        // with every row, rowid and column as it was; the index on state finds the few deliveries
        // waiting, or held, without reading the rest.
        migrator.registerMigration("v3-delivery-waiting") { db in
            try db.execute(sql: """
                CREATE TABLE delivery_v3 (
                    id TEXT PRIMARY KEY,
                    message_id TEXT NOT NULL REFERENCES message(id),
                    recipient TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending','delivered','acknowledged','held','rejected','expired','waiting')),
                    presentation TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    updated_ms INTEGER NOT NULL,
                    available_seq INTEGER
                );
                INSERT INTO delivery_v3 (rowid, id, message_id, recipient, state, presentation, attempts, updated_ms, available_seq)
                    SELECT rowid, id, message_id, recipient, state, presentation, attempts, updated_ms, available_seq FROM delivery;
                DROP TABLE delivery;
                ALTER TABLE delivery_v3 RENAME TO delivery;
                CREATE INDEX delivery_message ON delivery(message_id);
                CREATE INDEX delivery_inbox_available ON delivery(recipient, state, available_seq);
                CREATE INDEX delivery_state ON delivery(state);
                """)
        }
        // Verification reads each page of leaves with its party and subject rows, by leaf index.
        migrator.registerMigration("v4-audit-rows-by-leaf") { db in
            try db.execute(sql: """
                CREATE INDEX audit_party_leaf ON audit_party(idx);
                CREATE INDEX audit_subject_leaf ON audit_subject(idx);
                """)
        }
        // The delivery envelope becomes columns, so that neither the inbox nor a reconciliation
        // parses a document per delivery. Rows written before carry it as JSON in
        // `presentation`; it is moved here, once, and the column is cleared.
        migrator.registerMigration("v5-delivery-envelope-columns") { db in
            try db.execute(sql: """
                ALTER TABLE delivery ADD COLUMN sd_jwt TEXT;
                ALTER TABLE delivery ADD COLUMN sender TEXT;
                ALTER TABLE delivery ADD COLUMN message_type TEXT;
                ALTER TABLE delivery ADD COLUMN purpose TEXT;
                ALTER TABLE delivery ADD COLUMN agreement_id TEXT;
                ALTER TABLE delivery ADD COLUMN agreement_digest TEXT;
                ALTER TABLE delivery ADD COLUMN withheld TEXT;
                ALTER TABLE delivery ADD COLUMN received_ms INTEGER;
                ALTER TABLE delivery ADD COLUMN handling TEXT;
                ALTER TABLE delivery ADD COLUMN subjects TEXT;
                ALTER TABLE delivery ADD COLUMN binding TEXT;
                CREATE INDEX delivery_agreement ON delivery(agreement_id, state);
                """)
            try LegacyPresentation.moveToColumns(db)
        }
        // Push delivery's tries per delivery (docs/architecture.md, "Storage"). The delivery row
        // is the queue entry; this only says how pushing it went. No payload: a status code or
        // a client error code.
        migrator.registerMigration("v6-push") { db in
            try db.execute(sql: """
                CREATE TABLE push (
                    delivery_id TEXT PRIMARY KEY NOT NULL,
                    recipient TEXT NOT NULL,
                    state TEXT NOT NULL,
                    first_attempt_ms INTEGER NOT NULL,
                    last_attempt_ms INTEGER NOT NULL,
                    attempts INTEGER NOT NULL,
                    next_attempt_ms INTEGER NOT NULL,
                    last_failure TEXT
                );
                CREATE INDEX push_state ON push(state, first_attempt_ms);
                CREATE INDEX push_recipient ON push(recipient);
                """)
        }
        // The console and the probes read the latest checkpoint, and key history the first one
        // after each rotation: by index, not by reading every checkpoint (about three million a
        // year at the default interval).
        migrator.registerMigration("v7-checkpoint-size") { db in
            try db.execute(sql: "CREATE INDEX audit_checkpoint_size ON audit_checkpoint(size)")
        }
        return migrator
    }
}
