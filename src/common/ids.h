// src/common/ids.h: identifiers dcc generates (uuid, accession, access keys) and
// recognises (uuid and accession shapes). Randomness comes from libsodium.
#pragma once

#include <string>
#include <string_view>

namespace dcc {

// A random RFC 4122 version-4 uuid, lower-case with hyphens.
std::string NewUuid4();
// True if `s` has the 8-4-4-4-12 lower/upper hex shape of a uuid.
bool LooksLikeUuid(std::string_view s);

// A random accession: prefix + two-letter type code + 3 digits + 3 upper-case letters,
// e.g. "DCCBS123ABC" (17,576,000 per prefix and code). Callers retry on collision.
std::string NewAccession(std::string_view prefix, std::string_view type_code);
// True if `s` has the shape prefix + code + 3 digits + 3 letters-or-digits, for any
// upper-case prefix of 2-5 letters (test servers use digits in the tail).
bool LooksLikeAccession(std::string_view s);

// RFC 4648 base32 without padding.
std::string Base32Encode(const unsigned char* data, size_t len, bool upper);
// An access key id: 8 upper-case base32 chars (5 random bytes), the reference format.
std::string NewAccessKeyId();
// A secret access key: 16 lower-case base32 chars (10 random bytes), the reference format.
std::string NewSecretAccessKey();

// A request id: 20 lower-case base32 chars (96 random bits). Random rather than a
// counter, so that ids stay unique across every dccd serving one deployment and across
// restarts (a log line names one request, whichever process wrote it).
std::string NewRequestId();

}  // namespace dcc
