#pragma once
// What OpenSSL's TLS 1.3 handshake hands over to tls13_records, so that a
// connection can free its SSL once the upgrade is read: each direction's
// traffic secret (OpenSSL's keylog callback, the one public way to them)
// and the sequence number of its next record (the records OpenSSL read and
// wrote since each side's Finished, counted by its message callback; wrong
// counts cannot pass silently, since a record under a wrong nonce fails
// authentication at the other end). Callbacks run on the thread driving
// that SSL; each SSL's state is its own (ex_data, freed with it).

#include <optional>

#include "tls13_records.hpp"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace switchboard {

struct tls_handover {
    tls13_suite suite;
    tls13_records::direction_start read;   // the client's records
    tls13_records::direction_start write;  // ours
};

// Watches every handshake of `context` from now on.
void watch_handshakes(SSL_CTX* context);

// What `ssl` hands over, and it is no longer watched. None (and no longer
// watched) for TLS 1.2, a suite tls13_records does not run, a context not
// watched, a KeyUpdate before the hand-over, or a record OpenSSL still holds.
std::optional<tls_handover> take_handover(SSL* ssl);

// Stops watching `ssl`: a connection that stays with OpenSSL.
void forget_handover(SSL* ssl);

}  // namespace switchboard
