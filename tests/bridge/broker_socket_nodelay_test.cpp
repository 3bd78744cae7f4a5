// set_broker_socket_nodelay: finds this process's sockets to the broker by their
// peer address, and only those.

#include "broker_socket_nodelay.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

using namespace switchboard;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
bool nodelay(tcp::socket& s) {
    int on = 0;
    socklen_t length = sizeof on;
    getsockopt(s.native_handle(), IPPROTO_TCP, TCP_NODELAY, &on, &length);
    return on != 0;
}
}  // namespace

TEST(MqttSocket, NagleIsOffOnSocketsToTheBrokerOnly) {
    asio::io_context io;
    tcp::acceptor broker(io, {asio::ip::make_address("127.0.0.1"), 0});
    tcp::acceptor other(io, {asio::ip::make_address("127.0.0.1"), 0});
    tcp::socket to_broker(io), to_other(io);
    to_broker.connect(broker.local_endpoint());
    to_other.connect(other.local_endpoint());
    ASSERT_FALSE(nodelay(to_broker));

    std::string url = "tcp://127.0.0.1:" + std::to_string(broker.local_endpoint().port());
    EXPECT_EQ(set_broker_socket_nodelay(url), 1);
    EXPECT_TRUE(nodelay(to_broker));
    EXPECT_FALSE(nodelay(to_other));

    EXPECT_EQ(set_broker_socket_nodelay("mqtt://localhost:" +
                                        std::to_string(broker.local_endpoint().port())),
              1);
    EXPECT_EQ(set_broker_socket_nodelay(
                  "ws://127.0.0.1:" + std::to_string(broker.local_endpoint().port()) + "/mqtt"),
              1);
    EXPECT_EQ(set_broker_socket_nodelay("not a url"), 0);
    EXPECT_EQ(set_broker_socket_nodelay("tcp://no-such-host.invalid:1883"), 0);
}
