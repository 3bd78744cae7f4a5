#include "admin_socket.hpp"

#include <sys/stat.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <stdexcept>

#include "core/config_reader.hpp"  // config_error

namespace switchboard {

namespace asio = boost::asio;
using unix_socket = asio::local::stream_protocol;

namespace {

// Whether a process accepts connections on the socket file at `path`.
bool served(const std::string& path) {
    asio::io_context io;
    unix_socket::socket probe(io);
    boost::system::error_code ec;
    probe.connect(unix_socket::endpoint(path), ec);
    return !ec;
}

}  // namespace

admin_socket::admin_socket(asio::io_context& io, std::string path, handler on_command)
    : path_(std::move(path)),
      on_command_(std::move(on_command)),
      acceptor_(io),
      client_(io),
      timer_(io) {
    auto fail = [&](const std::string& why) {
        throw config_error("'admin.socket': " + path_ + " " + why);
    };
    std::error_code fs_ec;
    auto status = std::filesystem::symlink_status(path_, fs_ec);
    if (std::filesystem::exists(status)) {
        if (!std::filesystem::is_socket(status)) fail("exists and is not a socket");
        if (served(path_)) fail("is served by another process (a gateway with this config?)");
        std::filesystem::remove(path_, fs_ec);
    }
    boost::system::error_code ec;
    acceptor_.open(unix_socket(), ec);
    if (!ec) {
        // Created 0600: there is no moment in which another user could
        // connect. umask is per process; this runs before the I/O threads
        // start, and the gateway creates no other file.
        mode_t previous = ::umask(0177);
        acceptor_.bind(unix_socket::endpoint(path_), ec);
        ::umask(previous);
    }
    if (!ec) acceptor_.listen(4, ec);
    if (ec) fail("cannot be bound: " + ec.message());
}

admin_socket::~admin_socket() {
    stop();
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
}

void admin_socket::stop() {
    stopped_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    client_.close(ignored);
    timer_.cancel();
}

void admin_socket::accept_next() {
    if (stopped_) return;
    acceptor_.async_accept(client_, [this](boost::system::error_code ec) {
        if (stopped_ || ec == asio::error::operation_aborted) return;
        if (ec) return accept_next();
        read_request();
    });
}

void admin_socket::read_request() {
    request_.clear();
    const std::uint64_t request = ++requests_;
    reading_ = true;
    timer_.expires_after(request_timeout);
    timer_.async_wait([this, request](boost::system::error_code ec) {
        // A client that stays silent is cut off, so the next one is served.
        // (A wait that expired as its read completed finds `reading_` off.)
        if (!ec && reading_ && request == requests_) {
            boost::system::error_code ignored;
            client_.cancel(ignored);
        }
    });
    asio::async_read_until(client_, asio::dynamic_buffer(request_, max_request_bytes), '\n',
                           [this](boost::system::error_code ec, std::size_t line) {
                               reading_ = false;
                               timer_.cancel();
                               if (ec) return finish();
                               answer(std::string_view(request_).substr(0, line - 1));
                           });
}

void admin_socket::answer(std::string_view command) {
    reply_ = on_command_(command) + "\n";
    asio::async_write(client_, asio::buffer(reply_),
                      [this](boost::system::error_code, std::size_t) { finish(); });
}

void admin_socket::finish() {
    boost::system::error_code ignored;
    client_.close(ignored);
    accept_next();
}

std::string ask_admin_socket(const std::string& path, std::string_view command,
                             std::chrono::milliseconds timeout) {
    asio::io_context io;
    std::string request = std::string(command) + "\n";
    std::string reply;
    unix_socket::socket socket(io);
    boost::system::error_code ec;
    socket.connect(unix_socket::endpoint(path), ec);
    if (ec) throw std::runtime_error("cannot reach the gateway at " + path + ": " + ec.message());
    boost::system::error_code result = asio::error::timed_out;
    asio::async_write(socket, asio::buffer(request),
                      [&](boost::system::error_code wrote, std::size_t) {
                          if (wrote) {
                              result = wrote;
                              return;
                          }
                          asio::async_read_until(
                              socket, asio::dynamic_buffer(reply, 64 * 1024), '\n',
                              [&](boost::system::error_code read, std::size_t) { result = read; });
                      });
    io.run_for(timeout);
    if (result) {
        throw std::runtime_error("no answer from the gateway at " + path + ": " + result.message());
    }
    return reply.substr(0, reply.find('\n'));
}

}  // namespace switchboard
