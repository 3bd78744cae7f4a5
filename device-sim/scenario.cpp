#include "scenario.hpp"

#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "client/client_url.hpp"
#include "client/ws_transport.hpp"
#include "core/config_reader.hpp"
#include "core/id_rules.hpp"

namespace switchboard::sim {
namespace {

using json = nlohmann::json;

using object_reader = config_reader;

constexpr std::int64_t one_day_ms = 24LL * 3600 * 1000;

// {"fixed": ms} | {"uniform": [min, max]} | {"exponential": mean, "max": cap}
void read_delay(object_reader& parent, const std::string& key, delay_distribution& out) {
    bool present = false;
    object_reader r = parent.object(key, present);
    if (!present) return;
    int shapes = 0;
    if (const json* v = r.take("fixed")) {
        ++shapes;
        if (!v->is_number() || v->get<double>() < 0) r.fail("fixed", "must be a number >= 0");
        out = {delay_distribution::shape::fixed, v->get<double>(), 0, out.max_ms};
    }
    if (const json* v = r.take("uniform")) {
        ++shapes;
        if (!v->is_array() || v->size() != 2 || !(*v)[0].is_number() || !(*v)[1].is_number() ||
            (*v)[0].get<double>() < 0 || (*v)[1].get<double>() < (*v)[0].get<double>()) {
            r.fail("uniform", "must be [min, max] with 0 <= min <= max");
        }
        out = {delay_distribution::shape::uniform, (*v)[0].get<double>(), (*v)[1].get<double>(),
               out.max_ms};
    }
    if (const json* v = r.take("exponential")) {
        ++shapes;
        if (!v->is_number() || v->get<double>() < 0) r.fail("exponential", "must be a mean >= 0");
        out = {delay_distribution::shape::exponential, v->get<double>(), 0, out.max_ms};
    }
    r.read_number("max", out.max_ms, 0, double(one_day_ms));
    if (shapes != 1) r.fail("", "needs exactly one of fixed, uniform, exponential");
    r.reject_unknown();
}

device_group read_group(const json& v, const std::string& path, const std::string& source) {
    if (!v.is_object()) throw scenario_error(source + ": '" + path + "' must be an object");
    object_reader r(v, path, source);
    device_group g;
    r.read("id_prefix", g.id_prefix);
    r.read_integer("count", g.count, 0, 1'000'000);
    if (!r.take("count")) r.fail("count", "is required");
    r.read_integer("first_index", g.first_index, 0, 1'000'000'000);
    if (!is_valid_id(g.id_prefix + std::to_string(g.first_index + g.count))) {
        r.fail("id_prefix", "must make valid IDs (1-128 of A-Z a-z 0-9 . _ : @ -)");
    }
    std::string transport = "ws";
    r.read("transport", transport);
    if (!parse_transport_choice(transport, g.transport)) {
        r.fail("transport", "must be \"ws\", \"mqtt\" or \"mixed\"");
    }
    if (const json* meta = r.take("meta")) {
        if (!meta->is_object()) r.fail("meta", "must be an object");
        g.meta_json = meta->dump();
    }
    read_delay(r, "answer_delay_ms", g.answer_delay);
    r.read_number("failure_rate", g.failure_rate, 0, 1);
    r.read_number("events_per_s", g.events_per_s, 0, 1000);
    r.read_ms("reboot_ms", g.reboot, 0, one_day_ms);
    r.read_ms("slow_ms", g.slow, 0, one_day_ms);
    bool churn = false;
    object_reader c = r.object("churn", churn);
    c.read_number("per_min", g.churn_per_min, 0, 60);
    read_delay(c, "offline_ms", g.churn_offline);
    c.reject_unknown();
    r.reject_unknown();
    return g;
}

}  // namespace

std::size_t scenario::device_count() const {
    std::size_t n = 0;
    for (const auto& g : groups) n += g.count;
    return n;
}

bool parse_transport_choice(std::string_view text, transport_choice& out) noexcept {
    if (text == "ws")
        out = transport_choice::ws;
    else if (text == "mqtt")
        out = transport_choice::mqtt;
    else if (text == "mixed")
        out = transport_choice::mixed;
    else
        return false;
    return true;
}

scenario parse_scenario(std::string_view text, const std::string& source) {
    json doc = object_reader::parse_document(text, source);
    object_reader root(doc, "", source);
    scenario s;
    root.read("name", s.name);
    root.read("gateway_url", s.gateway_url);
    root.read("mqtt_url", s.mqtt_url);
    // A bad URL is refused here, naming the file and the key, not when a device connects.
    try {
        client::split_ws_url(s.gateway_url);
    } catch (const std::invalid_argument& e) {
        root.fail("gateway_url", std::string("is not usable: ") + e.what());
    }
    try {
        client::parse_mqtt_url(s.mqtt_url);
    } catch (const std::invalid_argument& e) {
        root.fail("mqtt_url", std::string("is not usable: ") + e.what());
    }
    root.read("mqtt_prefix", s.mqtt_prefix);
    double duration_s = 0;
    root.read_number("duration_s", duration_s, 0, 7 * 24 * 3600.0);
    s.duration = std::chrono::milliseconds(static_cast<std::int64_t>(duration_s * 1000));

    bool present = false;
    object_reader reconnect = root.object("reconnect", present);
    reconnect.read_ms("initial_ms", s.reconnect_initial, 0, one_day_ms);
    reconnect.read_ms("max_ms", s.reconnect_max, 0, one_day_ms);
    if (s.reconnect_initial.count() < 1) reconnect.fail("initial_ms", "must be at least 1");
    if (s.reconnect_max < s.reconnect_initial) reconnect.fail("max_ms", "must be >= initial_ms");
    reconnect.reject_unknown();

    const json* groups = root.take("groups");
    if (groups == nullptr) root.fail("groups", "is required (a list of device groups)");
    if (!groups->is_array() || groups->empty()) root.fail("groups", "must be a non-empty list");
    for (std::size_t i = 0; i < groups->size(); ++i) {
        s.groups.push_back(read_group((*groups)[i], "groups[" + std::to_string(i) + "]", source));
    }

    object_reader storm = root.object("duplicate_storm", present);
    storm.read_ms("every_ms", s.storm.every, 0, one_day_ms);
    storm.read_integer("devices", s.storm.devices, 0, 1'000'000);
    storm.read_ms("hold_ms", s.storm.hold, 0, one_day_ms);
    if (present && s.storm.every.count() > 0 && s.storm.every.count() < 100) {
        storm.fail("every_ms", "must be 0 (off) or at least 100");
    }
    storm.reject_unknown();
    root.reject_unknown();

    // Two groups handing out the same ID would storm by accident.
    std::set<std::string> seen;
    for (std::size_t i = 0; i < s.groups.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            const auto& a = s.groups[i];
            const auto& b = s.groups[j];
            if (a.id_prefix == b.id_prefix && a.first_index < b.first_index + b.count &&
                b.first_index < a.first_index + a.count) {
                throw scenario_error(source + ": 'groups[" + std::to_string(i) +
                                     "].id_prefix' overlaps the IDs of groups[" +
                                     std::to_string(j) + "] (set first_index)");
            }
        }
    }
    return s;
}

scenario load_scenario(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw scenario_error(path.string() + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_scenario(text.str(), path.string());
}

}  // namespace switchboard::sim
