#include "percent_decoding.hpp"

#include "hex_digit.hpp"

namespace switchboard {

std::optional<std::string> percent_decode(std::string_view in, plus_sign plus) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return std::nullopt;
            int hi = hex_digit_value(in[i + 1]);
            int lo = hex_digit_value(in[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            c = static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus == plus_sign::space) {
            c = ' ';
        }
        out.push_back(c);
    }
    return out;
}

}  // namespace switchboard
