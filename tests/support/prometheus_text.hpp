#pragma once
// Reads the Prometheus text exposition format as far as tests need: each
// sample line `name{labels} value` becomes an entry keyed by its text
// before the value, and each `# TYPE name kind` a family. Throws
// std::runtime_error on a line that is neither.

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

namespace switchboard::test {

struct prometheus_text {
    std::map<std::string, double> samples;        // "name{a=\"x\"}" -> value
    std::map<std::string, std::string> families;  // name -> counter, gauge, histogram...

    static prometheus_text parse(std::string_view text) {
        prometheus_text out;
        while (!text.empty()) {
            auto end = text.find('\n');
            std::string_view line = text.substr(0, end);
            text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
            if (line.empty()) continue;
            if (line.starts_with("# TYPE ")) {
                line.remove_prefix(7);
                auto space = line.find(' ');
                if (space == std::string_view::npos) throw std::runtime_error("bad TYPE line");
                out.families[std::string(line.substr(0, space))] =
                    std::string(line.substr(space + 1));
                continue;
            }
            if (line.starts_with("#")) continue;
            auto space = line.rfind(' ');
            if (space == std::string_view::npos || space == 0)
                throw std::runtime_error("bad sample line: " + std::string(line));
            std::string value(line.substr(space + 1));
            out.samples[std::string(line.substr(0, space))] =
                value == "+Inf" ? std::numeric_limits<double>::infinity() : std::stod(value);
        }
        return out;
    }

    // The sample's value, or -1 when it is not there.
    double operator[](const std::string& key) const {
        auto it = samples.find(key);
        return it == samples.end() ? -1 : it->second;
    }
};

}  // namespace switchboard::test
