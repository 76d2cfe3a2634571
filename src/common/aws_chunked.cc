#include "common/aws_chunked.h"

#include <openssl/evp.h>

#include <algorithm>

#include "common/hashing.h"
#include "common/sigv4.h"

namespace dcc::sigv4 {
namespace {
constexpr size_t kMaxHeaderLine = 4096;
constexpr uint64_t kMaxChunk = 1ull << 30;
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
                                     std::string amz_date, std::string scope, Sink out)
    : key_(std::move(signing_key)), previous_(std::move(seed_signature)),
      amz_date_(std::move(amz_date)), scope_(std::move(scope)), out_(std::move(out)),
      hash_(std::make_unique<Hash>()) {}

AwsChunkedDecoder::~AwsChunkedDecoder() = default;

Status AwsChunkedDecoder::EndChunk() {
  std::string expected = Signature(key_, ChunkStringToSign(amz_date_, scope_, previous_, hash_->Hex()));
  if (!SignaturesEqual(expected, chunk_signature_))
    return Status::PermissionDenied("aws-chunked: the signature of a " + std::to_string(chunk_size_) +
                                        "-byte chunk does not match",
                                    "s3:SignatureDoesNotMatch");
  previous_ = chunk_signature_;
  return Status::Ok();
}

Status AwsChunkedDecoder::Feed(const char* data, size_t len) {
  size_t i = 0;
  while (i < len) {
    switch (state_) {
      case State::kHeader: {
        const char c = data[i++];
        line_.push_back(c);
        if (line_.size() > kMaxHeaderLine)
          return Status::InvalidArgument("aws-chunked: chunk header line too long", "s3:IncompleteBody");
        if (line_.size() < 2 || line_.compare(line_.size() - 2, 2, "\r\n") != 0) break;
        std::string header = line_.substr(0, line_.size() - 2);
        line_.clear();
        const std::string marker = ";chunk-signature=";
        auto semi = header.find(marker);
        if (semi == std::string::npos || semi == 0)
          return Status::InvalidArgument("aws-chunked: malformed chunk header '" + header.substr(0, 80) + "'",
                                         "s3:IncompleteBody");
        try {
          size_t used = 0;
          chunk_size_ = std::stoull(header.substr(0, semi), &used, 16);
          if (used != semi) throw std::invalid_argument("size");
        } catch (...) {
          return Status::InvalidArgument("aws-chunked: chunk size is not hexadecimal", "s3:IncompleteBody");
        }
        if (chunk_size_ > kMaxChunk) return Status::InvalidArgument("aws-chunked: chunk over 1 GiB", "s3:IncompleteBody");
        chunk_signature_ = header.substr(semi + marker.size());
        remaining_ = chunk_size_;
        hash_->Reset();
        state_ = State::kData;
        break;
      }
      case State::kData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, len - i));
        if (n > 0) {
          EVP_DigestUpdate(hash_->ctx, data + i, n);
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
        if (line_ != "\r\n") return Status::InvalidArgument("aws-chunked: chunk data not followed by CRLF", "s3:IncompleteBody");
        line_.clear();
        DCC_RETURN_IF_ERROR(EndChunk());
        state_ = chunk_size_ == 0 ? State::kDone : State::kHeader;
        break;
      }
      case State::kDone:
        return Status::InvalidArgument("aws-chunked: data after the final chunk", "s3:IncompleteBody");
    }
  }
  return Status::Ok();
}

Status AwsChunkedDecoder::Finish() const {
  if (state_ != State::kDone)
    return Status::InvalidArgument("aws-chunked: the body ended before its final zero-size chunk",
                                   "s3:IncompleteBody");
  return Status::Ok();
}

}  // namespace dcc::sigv4
