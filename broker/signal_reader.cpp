#include "signal_reader.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <cerrno>
#include <system_error>

namespace switchboard {
namespace {

sigset_t set_of(std::initializer_list<int> signals) {
    sigset_t set;
    sigemptyset(&set);
    for (int s : signals) sigaddset(&set, s);
    return set;
}

int open_signalfd(const sigset_t& set, sigset_t& previous_mask) {
    if (int rc = pthread_sigmask(SIG_BLOCK, &set, &previous_mask); rc != 0) {
        throw std::system_error(rc, std::generic_category(), "blocking the control signals");
    }
    int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) {
        int error = errno;
        pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
        throw std::system_error(error, std::generic_category(), "signalfd");
    }
    return fd;
}

}  // namespace

signal_reader::signal_reader(boost::asio::io_context& io, std::initializer_list<int> signals)
    : descriptor_(io, open_signalfd(set_of(signals), previous_mask_)) {}

signal_reader::~signal_reader() {
    boost::system::error_code ignored;
    descriptor_.close(ignored);
    pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void signal_reader::start(std::function<void(int)> on_signal) {
    on_signal_ = std::move(on_signal);
    read_next();
}

void signal_reader::stop() {
    stopped_ = true;
    boost::system::error_code ignored;
    descriptor_.cancel(ignored);
}

void signal_reader::read_next() {
    if (stopped_) return;
    // A signalfd read returns whole signalfd_siginfo records, never part of one.
    descriptor_.async_read_some(boost::asio::buffer(&info_, sizeof info_),
                                [this](boost::system::error_code ec, std::size_t n) {
                                    if (stopped_ || ec == boost::asio::error::operation_aborted) {
                                        return;
                                    }
                                    if (ec) {
                                        // Not seen in practice; said, since
                                        // signals go unanswered from here.
                                        spdlog::error("reading signals stopped: {}", ec.message());
                                        return;
                                    }
                                    if (n == sizeof info_) {
                                        on_signal_(static_cast<int>(info_.ssi_signo));
                                    }
                                    read_next();
                                });
}

}  // namespace switchboard
