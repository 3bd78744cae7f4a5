// broker/admin_socket, the Unix socket `switchboard reload` talks to: one
// answer line per request, mode 0600, a stale file replaced and a served one
// left alone. (Process.ReloadSubcommandAppliesANewFileOrSaysWhyNot runs the
// real binary end to end.)

#include "admin_socket.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/config_reader.hpp"

using namespace switchboard;
using namespace std::chrono_literals;

namespace {

std::string socket_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            ("sb-admin-" + std::to_string(getpid()) + "-" + name + ".sock"))
        .string();
}

// An admin_socket served by an io_context on a thread of its own.
class served_socket {
public:
    served_socket(const std::string& path, admin_socket::handler on_command)
        : socket_(io_, path, std::move(on_command)), thread_([this] {
              socket_.start();
              io_.run();
          }) {}
    ~served_socket() {
        boost::asio::post(io_, [this] { socket_.stop(); });
        work_.reset();
        thread_.join();
    }

private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
        io_.get_executor()};
    admin_socket socket_;
    std::thread thread_;
};

}  // namespace

TEST(AdminSocket, AnswersEachRequestWithOneLineAndIsForItsOwnerOnly) {
    const std::string path = socket_path("answers");
    std::vector<std::string> commands;
    {
        served_socket served(path, [&](std::string_view command) {
            commands.emplace_back(command);
            return std::string(R"({"outcome":"applied","message":"n)") +
                   std::to_string(commands.size()) + "\"}";
        });
        auto perms = std::filesystem::status(path).permissions() & std::filesystem::perms::all;
        EXPECT_EQ(perms, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
        EXPECT_EQ(ask_admin_socket(path, "reload", 5s), R"({"outcome":"applied","message":"n1"})");
        EXPECT_EQ(ask_admin_socket(path, "status", 5s), R"({"outcome":"applied","message":"n2"})");
    }
    EXPECT_EQ(commands, (std::vector<std::string>{"reload", "status"}));
    EXPECT_FALSE(std::filesystem::exists(path)) << "the socket file outlived its socket";
    EXPECT_THROW(ask_admin_socket(path, "reload", 1s), std::runtime_error);
}

TEST(AdminSocket, AnOverlongRequestIsCutOffAndTheNextIsServed) {
    const std::string path = socket_path("overlong");
    served_socket served(path, [](std::string_view) { return std::string("ok"); });
    EXPECT_THROW(ask_admin_socket(path, std::string(admin_socket::max_request_bytes + 10, 'x'), 5s),
                 std::runtime_error);
    EXPECT_EQ(ask_admin_socket(path, "reload", 5s), "ok");
}

TEST(AdminSocket, StaleFileIsReplacedButAServedSocketOrAnotherFileIsNot) {
    const std::string path = socket_path("stale");
    {
        // A socket file nobody listens on, as a killed gateway leaves it.
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
        ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
        ::close(fd);
    }
    ASSERT_TRUE(std::filesystem::is_socket(path));
    served_socket served(path, [](std::string_view) { return std::string("first"); });
    EXPECT_EQ(ask_admin_socket(path, "reload", 5s), "first");

    boost::asio::io_context io;
    try {
        admin_socket second(io, path, [](std::string_view) { return std::string("second"); });
        ADD_FAILURE() << "a second gateway took over a served admin.socket";
    } catch (const config_error& e) {
        EXPECT_NE(std::string(e.what()).find("'admin.socket'"), std::string::npos) << e.what();
    }
    EXPECT_EQ(ask_admin_socket(path, "reload", 5s), "first");

    const std::string plain = socket_path("plain-file");
    std::ofstream(plain) << "not a socket";
    EXPECT_THROW(
        { admin_socket refused(io, plain, [](std::string_view) { return std::string(); }); },
        config_error);
    EXPECT_TRUE(std::filesystem::is_regular_file(plain));
    std::filesystem::remove(plain);
}
