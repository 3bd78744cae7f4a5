#pragma once
// Checks, at start-up, that a TLS certificate chain and private key load and
// belong together, so a wrong path or a mismatched pair is a config error
// naming the key and the file, not a failed handshake later. Start-up only.

#include <string>

namespace switchboard {

// Throws config_error naming `cert_key` / `key_key` (e.g. "tls.cert_file")
// and the file when either does not load or the key does not match.
void check_tls_key_pair(const std::string& cert_file, const std::string& key_file,
                        const std::string& cert_key, const std::string& key_key,
                        const std::string& key_password = {});

}  // namespace switchboard
