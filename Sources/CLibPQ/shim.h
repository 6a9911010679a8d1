// The fence between Swift and the system libpq (Debian: libpq-dev), which reaches PostgreSQL over
// the system OpenSSL for TLS and SCRAM, so no second crypto stack enters the gateway.
// Only AccordPostgres imports it (docs/architecture.md).
#ifndef ACCORD_CLIBPQ_SHIM_H
#define ACCORD_CLIBPQ_SHIM_H

#include <libpq-fe.h>
#include <poll.h>

// The PG_DIAG_* field codes are character-literal macros; these give them names Swift imports as Int32.
static const int accord_PG_DIAG_SQLSTATE = PG_DIAG_SQLSTATE;
static const int accord_PG_DIAG_SCHEMA_NAME = PG_DIAG_SCHEMA_NAME;
static const int accord_PG_DIAG_TABLE_NAME = PG_DIAG_TABLE_NAME;
static const int accord_PG_DIAG_COLUMN_NAME = PG_DIAG_COLUMN_NAME;
static const int accord_PG_DIAG_CONSTRAINT_NAME = PG_DIAG_CONSTRAINT_NAME;

#endif
