// src/server/http/client_address.h: who a connection or request belongs to, for the
// edge's per-client caps: the peer address, or, when the peer is a trusted proxy
// (--trusted-proxy CIDR), the client that X-Forwarded-For names.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "dcc/status.h"

namespace dcc::server {

// An address block such as 10.0.0.0/8, 127.0.0.1 (a /32) or fd00::/8.
struct Cidr {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};
  int prefix = 0;
};

// InvalidArgument (naming `flag`) for anything but ADDRESS or ADDRESS/PREFIX.
Result<Cidr> ParseCidr(const std::string& text, const char* flag = "--trusted-proxy");
// False for a malformed address. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) match v4 blocks.
bool CidrContains(const Cidr& block, const std::string& address);
bool InAny(const std::vector<Cidr>& blocks, const std::string& address);

// The client of a request from `peer`: `peer` itself unless it is in `trusted`; then the
// right-most X-Forwarded-For entry that is not itself a trusted proxy (entries further
// left were written by the client and prove nothing). A malformed entry ends the walk
// at the last trusted hop, so a forged header cannot pick an arbitrary identity.
std::string ClientOf(const std::string& peer, const std::string& forwarded_for,
                     const std::vector<Cidr>& trusted);

}  // namespace dcc::server
