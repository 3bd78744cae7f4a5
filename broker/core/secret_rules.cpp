#include "secret_rules.hpp"

#include <algorithm>
#include <bitset>
#include <cctype>

namespace switchboard {

std::optional<std::string> secret_weakness(std::string_view secret, std::size_t min_bytes) {
    std::string upper(secret);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (upper.find("REPLACE") != std::string::npos) {
        return "is a placeholder (holds \"REPLACE\"): put a real secret there";
    }
    if (min_bytes == 0) return std::nullopt;
    if (secret.size() < min_bytes) {
        return "must be at least " + std::to_string(min_bytes) + " bytes";
    }
    std::bitset<256> seen;
    for (unsigned char c : secret) seen.set(c);
    if (seen.count() < min_distinct_secret_bytes) {
        return "must hold at least " + std::to_string(min_distinct_secret_bytes) +
               " distinct characters (use e.g. `openssl rand -base64 32`)";
    }
    return std::nullopt;
}

std::string trim_secret(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' ||
                             text.back() == '\t')) {
        text.pop_back();
    }
    return text;
}

}  // namespace switchboard
