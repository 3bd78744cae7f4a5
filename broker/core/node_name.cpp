#include "node_name.hpp"

namespace switchboard {

std::string node_of(const gateway_config& config) {
    return config.node.empty() ? std::string("switchboard") : config.node;
}

}  // namespace switchboard
