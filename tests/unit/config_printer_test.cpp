// --print-config's output: secrets masked, readable back as a config file,
// holding every key the config parser reads (which tests/unit/docs_test.cpp
// checks against docs/configuration.md).

#include "core/config_printer.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace switchboard {
namespace {

using json = nlohmann::json;

// "limits.max_message_bytes", ... for every value that is not an object;
// an array is one key ("auth.tokens").
template <class Json>
void leaf_paths(const Json& j, const std::string& prefix, std::vector<std::string>& out) {
    for (const auto& [key, value] : j.items()) {
        std::string path = prefix.empty() ? key : prefix + "." + key;
        if (value.is_object()) {
            leaf_paths(value, path, out);
        } else {
            out.push_back(path);
        }
    }
}

TEST(ConfigPrinter, SecretsAreMasked) {
    gateway_config c = parse_config(R"({
        "mqtt": {"password": "mqtt-password-1", "tls": {"key_password": "key-password-2"}},
        "auth": {"tokens": [{"token": "static-token-0123456789", "id": "pump-*", "role": "device"}],
                 "jwt": {"secret": "jwt-secret-0123456789-0123456789-0123"}},
        "metrics": {"bearer_token": "metrics-token-0123456789"}
    })",
                                    "test.json");
    std::string printed = printable_config(c).dump();
    for (const char* secret :
         {"mqtt-password-1", "key-password-2", "static-token-0123456789",
          "jwt-secret-0123456789-0123456789-0123", "metrics-token-0123456789"}) {
        EXPECT_EQ(printed.find(secret), std::string::npos) << secret;
    }
    auto p = printable_config(c);
    EXPECT_EQ(p["mqtt"]["password"], masked_secret);
    EXPECT_EQ(p["mqtt"]["tls"]["key_password"], masked_secret);
    EXPECT_EQ(p["auth"]["tokens"][0]["token"], masked_secret);
    EXPECT_EQ(p["auth"]["tokens"][0]["id"], "pump-*");
    EXPECT_EQ(p["auth"]["jwt"]["secret"], masked_secret);
    EXPECT_EQ(p["metrics"]["bearer_token"], masked_secret);
    // An unset secret says so rather than looking set.
    EXPECT_EQ(printable_config(gateway_config{})["auth"]["jwt"]["secret"], "");
}

TEST(ConfigPrinter, PrintedConfigReadsBackAsTheSameConfig) {
    gateway_config c = parse_config(R"({
        "node": "gw-2", "log_format": "json", "threads": 2, "duplicate_id_policy": "reject",
        "listen": {"port": 9100}, "limits": {"frames_per_second": 12.5},
        "mqtt": {"enabled": true, "version": "3.1.1", "shared_group": ""},
        "tls": {"enabled": true, "cert_file": "/c.pem", "key_file": "/k.pem"},
        "auth": {"mode": "disabled"},
        "acl": {"builtin_defaults": false, "rules": [
            {"effect": "deny", "action": "command", "from": "a*", "to_role": "device",
             "commands": ["reboot"]},
            {"effect": "allow", "from_role": "controller"}]},
        "origins": {"allowed": ["https://ops.example.com"], "allow_missing": false},
        "metrics": {"allow": "loopback"}, "timeouts": {"drain_ms": 5000}
    })",
                                    "test.json");
    auto printed = printable_config(c);
    auto again = printable_config(parse_config(printed.dump(), "printed.json"));
    EXPECT_EQ(printed, again) << printed.dump(2) << "\n" << again.dump(2);
}

TEST(ConfigPrinter, PrintsEveryKeyTheParserReads) {
    std::vector<std::string> printed;
    leaf_paths(printable_config(gateway_config{}), "", printed);
    for (const auto& k : config_keys()) {
        // An array of objects prints as one key ("auth.tokens[].id": "auth.tokens");
        // secrets from files print where they went (config_printer.hpp).
        std::string key = k.path.substr(0, k.path.find("[]"));
        if (key == "auth.tokens_file") key = "auth.tokens";
        if (key == "auth.jwt.secret_file") key = "auth.jwt.secret";
        if (key == "metrics.token_file") key = "metrics.bearer_token";
        EXPECT_NE(std::find(printed.begin(), printed.end(), key), printed.end()) << key;
    }
}

}  // namespace
}  // namespace switchboard
