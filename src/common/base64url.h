// src/common/base64url.h: unpadded URL-safe base64 (RFC 4648 §5), as JWTs, JWKS and
// signed grants use it.
#pragma once

#include <string>

namespace dcc {

std::string B64Url(const std::string& raw);
// False if `in` is not unpadded URL-safe base64.
bool FromB64Url(const std::string& in, std::string* out);

}  // namespace dcc
