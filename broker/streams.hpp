#pragma once
// The two byte streams a connection can run over. Sessions are templates on
// one of these and are instantiated for both in their own .cpp, so Beast's
// TLS templates stay in few translation units.

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace switchboard {

using plain_stream = boost::beast::tcp_stream;
using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

template <class Stream>
inline constexpr bool is_tls_stream = std::is_same_v<Stream, tls_stream>;

}  // namespace switchboard
