#include "client_url.hpp"

namespace switchboard::client {

mqtt_address parse_mqtt_url(const std::string& url) {
    url_parts parts = parse_broker_url(url, {"tcp", "mqtt"});
    return {parts.host, parts.port};
}

}  // namespace switchboard::client
