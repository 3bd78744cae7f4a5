#pragma once
// The gateway's Prometheus metrics (docs/operations.md lists them): a
// prometheus-cpp registry for what is fixed (build info), and a collector
// that turns core's counters, the registry's clients, the latency histograms
// and the bridge's numbers into metric families at scrape time. Counting on
// the data path stays one relaxed atomic add; all the work is here, per
// scrape. Owned by the gateway; scrape() may be called from any I/O thread.

#include <memory>
#include <string>

namespace prometheus {
class Registry;
}

namespace switchboard {

struct session_context;

class gateway_metrics {
public:
    explicit gateway_metrics(const session_context& context);
    ~gateway_metrics();

    // The exposition text (text/plain; version=0.0.4).
    std::string scrape() const;

private:
    class core_collector;

    std::shared_ptr<prometheus::Registry> registry_;
    std::shared_ptr<core_collector> collector_;
};

}  // namespace switchboard
