#include "common/aws_chunked.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "common/hashing.h"
#include "common/s3_checksum.h"
#include "common/sigv4.h"

namespace dcc::sigv4 {
namespace {
constexpr size_t kMaxHeaderLine = 4096;
constexpr size_t kMaxTrailer = 4096;
constexpr uint64_t kMaxChunk = 1ull << 30;

Status Framing(const std::string& why) {
  return Status::InvalidArgument("aws-chunked: " + why, "s3:IncompleteBody");
}
Status BadTrailer(const std::string& why) {
  return Status::InvalidArgument("aws-chunked trailer: " + why, "s3:MalformedTrailerError");
}
std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}
}  // namespace

struct AwsChunkedDecoder::Hash {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Hash() { EVP_MD_CTX_free(ctx); }
  void Reset() { EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr); }
  std::string Hex() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, out, &len);
    return ToHex(out, len);
  }
};

AwsChunkedDecoder::AwsChunkedDecoder(std::string signing_key, std::string seed_signature,
                                     std::string amz_date, std::string scope, Sink out,
                                     AwsChunkedOptions options)
    : key_(std::move(signing_key)),
      previous_(std::move(seed_signature)),
      amz_date_(std::move(amz_date)),
      scope_(std::move(scope)),
      out_(std::move(out)),
      options_(std::move(options)),
      hash_(std::make_unique<Hash>()) {
  std::transform(options_.trailer.begin(), options_.trailer.end(), options_.trailer.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  options_.trailer = Trim(options_.trailer);
  if (!options_.trailer.empty()) {
    auto checksum = S3Checksum::For(options_.trailer);
    if (checksum.ok()) {
      checksum_ = std::move(checksum).value();
    } else {
      init_ = checksum.status();
    }
  }
}

AwsChunkedDecoder::~AwsChunkedDecoder() = default;

Status AwsChunkedDecoder::Header(const std::string& header) {
  const std::string marker = ";chunk-signature=";
  auto semi = header.find(';');
  std::string size_text = header.substr(0, semi);
  if (options_.signed_chunks) {
    if (semi == std::string::npos || header.compare(semi, marker.size(), marker) != 0)
      return Framing("malformed chunk header '" + header.substr(0, 80) + "' (no chunk-signature)");
    chunk_signature_ = header.substr(semi + marker.size());
  }
  // Unsigned chunks may carry chunk extensions after ';' (RFC 9112 §7.1.1); none means anything
  // here.
  try {
    size_t used = 0;
    if (size_text.empty()) throw std::invalid_argument("size");
    chunk_size_ = std::stoull(size_text, &used, 16);
    if (used != size_text.size()) throw std::invalid_argument("size");
  } catch (...) {
    return Framing("chunk size '" + size_text.substr(0, 20) + "' is not hexadecimal");
  }
  if (chunk_size_ > kMaxChunk) return Framing("chunk over 1 GiB");
  remaining_ = chunk_size_;
  hash_->Reset();
  if (chunk_size_ > 0) {
    state_ = State::kData;
    return Status::Ok();
  }
  // The zero-size chunk: nothing to wait for, verify it now; the trailer (or the empty
  // line that ends a body without one) follows.
  DCC_RETURN_IF_ERROR(EndChunk());
  state_ = State::kTrailer;
  return Status::Ok();
}

Status AwsChunkedDecoder::EndChunk() {
  if (!options_.signed_chunks) return Status::Ok();
  std::string expected =
      Signature(key_, ChunkStringToSign(amz_date_, scope_, previous_, hash_->Hex()));
  if (!SignaturesEqual(expected, chunk_signature_))
    return Status::PermissionDenied("aws-chunked: the signature of a " +
                                        std::to_string(chunk_size_) + "-byte chunk does not match",
                                    "s3:SignatureDoesNotMatch");
  previous_ = chunk_signature_;
  return Status::Ok();
}

Status AwsChunkedDecoder::TrailerLine(const std::string& line) {
  auto colon = line.find(':');
  if (colon == std::string::npos || colon == 0)
    return BadTrailer("line '" + line.substr(0, 80) + "' is not name:value");
  std::string name = Trim(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string value = Trim(line.substr(colon + 1));
  if (name == "x-amz-trailer-signature") {
    if (!options_.signed_chunks)
      return BadTrailer("an unsigned payload carries a trailer signature");
    trailer_signature_ = value;
    return Status::Ok();
  }
  if (name != options_.trailer || trailer_seen_)
    return BadTrailer("'" + name.substr(0, 64) + "' was not declared in x-amz-trailer" +
                      (options_.trailer.empty() ? "" : " (" + options_.trailer + ")") +
                      (trailer_seen_ ? " or came twice" : ""));
  if (!trailer_signature_.empty()) return BadTrailer("a trailer after x-amz-trailer-signature");
  trailer_seen_ = true;
  trailer_value_ = value;
  canonical_trailer_ += name + ":" + value + "\n";
  return Status::Ok();
}

Status AwsChunkedDecoder::EndTrailer() {
  if (!options_.trailer.empty() && !trailer_seen_)
    return BadTrailer("the body ended without the " + options_.trailer +
                      " trailer that x-amz-trailer declared");
  if (options_.signed_chunks && trailer_seen_) {
    if (trailer_signature_.empty())
      return BadTrailer("no x-amz-trailer-signature after the trailer");
    const std::string to_sign = "AWS4-HMAC-SHA256-TRAILER\n" + amz_date_ + "\n" + scope_ + "\n" +
                                previous_ + "\n" + Sha256Hex(canonical_trailer_);
    if (!SignaturesEqual(Signature(key_, to_sign), trailer_signature_))
      return Status::PermissionDenied("aws-chunked: the trailer signature does not match",
                                      "s3:SignatureDoesNotMatch");
  }
  if (checksum_) {
    const std::string actual = checksum_->Base64();
    if (actual != trailer_value_)
      return Status::ChecksumMismatch(options_.trailer + " is '" + trailer_value_.substr(0, 100) +
                                          "' but the " + std::to_string(decoded_) +
                                          " bytes received have " + actual,
                                      "s3:BadDigest");
  }
  state_ = State::kDone;
  return Status::Ok();
}

Status AwsChunkedDecoder::Feed(const char* data, size_t len) {
  DCC_RETURN_IF_ERROR(init_);
  size_t i = 0;
  while (i < len) {
    switch (state_) {
      case State::kHeader: {
        line_.push_back(data[i++]);
        if (line_.size() > kMaxHeaderLine) return Framing("chunk header line too long");
        if (line_.size() < 2 || line_.compare(line_.size() - 2, 2, "\r\n") != 0) break;
        std::string header = line_.substr(0, line_.size() - 2);
        line_.clear();
        DCC_RETURN_IF_ERROR(Header(header));
        break;
      }
      case State::kData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, len - i));
        if (n > 0) {
          EVP_DigestUpdate(hash_->ctx, data + i, n);
          if (checksum_) checksum_->Update(data + i, n);
          if (!out_(data + i, n)) return Status::IOError("aws-chunked: the sink refused data");
          decoded_ += n;
          remaining_ -= n;
          i += n;
        }
        if (remaining_ == 0) state_ = State::kDataEnd;
        break;
      }
      case State::kDataEnd: {
        line_.push_back(data[i++]);
        if (line_.size() < 2) break;
        if (line_ != "\r\n") return Framing("chunk data not followed by CRLF");
        line_.clear();
        DCC_RETURN_IF_ERROR(EndChunk());
        state_ = State::kHeader;
        break;
      }
      case State::kTrailer: {
        line_.push_back(data[i++]);
        if (++trailer_bytes_ > kMaxTrailer) return BadTrailer("longer than 4096 bytes");
        if (line_.size() < 2 || line_.compare(line_.size() - 2, 2, "\r\n") != 0) break;
        std::string line = line_.substr(0, line_.size() - 2);
        line_.clear();
        DCC_RETURN_IF_ERROR(line.empty() ? EndTrailer() : TrailerLine(line));
        break;
      }
      case State::kDone:
        return Framing("data after the final chunk");
    }
  }
  return Status::Ok();
}

Status AwsChunkedDecoder::Finish() {
  DCC_RETURN_IF_ERROR(init_);
  // Some clients end the body right after the trailer lines, without the empty line.
  if (state_ == State::kTrailer && line_.empty() && trailer_seen_)
    DCC_RETURN_IF_ERROR(EndTrailer());
  if (state_ != State::kDone)
    return Framing("the body ended before its final zero-size chunk and trailer");
  return Status::Ok();
}

}  // namespace dcc::sigv4
