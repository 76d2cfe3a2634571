#include "client/s3_source.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

namespace dcc::client {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

Result<S3Source> OpenS3Source(const std::string& url, const std::string& endpoint) {
  if (!IsS3Url(url)) return Status::InvalidArgument("not an s3:// URL: '" + url + "'");
  const std::string bucket_key = url.substr(5);
  const size_t slash = bucket_key.find('/');
  if (slash == 0 || slash == std::string::npos || slash + 1 == bucket_key.size())
    return Status::InvalidArgument("'" + url + "' is not s3://bucket/key");
  if (endpoint.empty())
    return Status::InvalidArgument("no S3 endpoint to read " + url +
                                   " from: pass --s3-endpoint, set s3_endpoint in the config, or AWS_ENDPOINT_URL_S3");
  S3Source source;
  source.url = url;
  source.endpoint = endpoint;
  source.credentials = {Env("AWS_ACCESS_KEY_ID"), Env("AWS_SECRET_ACCESS_KEY"), Env("AWS_SESSION_TOKEN"),
                        bucket_key.substr(0, slash), bucket_key.substr(slash + 1)};
  if (source.credentials.access_key.empty() || source.credentials.secret_key.empty())
    return Status::InvalidArgument("no AWS credentials to read " + url +
                                   ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for "
                                   "temporary ones)");
  S3Session session(endpoint, source.credentials);
  DCC_ASSIGN_OR_RETURN(S3Session::Reply head, session.Send("HEAD", {}, nullptr, 0));
  if (head.status == 404) return Status::NotFound("no such object " + url + " (at " + endpoint + ")");
  if (head.status == 403 || head.status == 401)
    return Status::PermissionDenied(endpoint + " refused the AWS credentials (AWS_ACCESS_KEY_ID " +
                                    source.credentials.access_key + ") for reading " + url +
                                    " (on AWS, without s3:ListBucket, this is also the answer for a missing object)");
  if (head.status != 200) return S3Error(head, "HEAD " + url);
  source.size = head.content_length;
  return source;
}

Result<Digests> HashS3Object(const S3Source& source, uint64_t chunk_size, int concurrency) {
  chunk_size = std::max<uint64_t>(chunk_size, 1u << 20);
  const uint64_t chunks = (source.size + chunk_size - 1) / chunk_size;
  const size_t lanes = static_cast<size_t>(std::max<uint64_t>(1, std::min<uint64_t>(std::max(concurrency, 1), chunks)));
  std::vector<std::unique_ptr<S3Session>> sessions;
  std::vector<std::vector<char>> buffers(lanes);
  for (size_t i = 0; i < lanes; ++i) sessions.push_back(std::make_unique<S3Session>(source.endpoint, source.credentials));
  MultiHasher::Options hash_options;
  hash_options.md5_only = true;  // a file record needs md5sum and file_size only
  MultiHasher hasher(hash_options);
  std::vector<Status> failures(lanes);
  // One round: `lanes` consecutive chunks fetched in parallel, then hashed in order.
  for (uint64_t first = 0; first < chunks; first += lanes) {
    std::vector<std::thread> threads;
    const size_t round = static_cast<size_t>(std::min<uint64_t>(lanes, chunks - first));
    for (size_t i = 0; i < round; ++i) {
      threads.emplace_back([&, i] {
        const uint64_t offset = (first + i) * chunk_size;
        const size_t len = static_cast<size_t>(std::min<uint64_t>(chunk_size, source.size - offset));
        buffers[i].resize(len);
        auto got = sessions[i]->GetRange(offset, len, buffers[i].data());
        if (!got.ok()) failures[i] = got.status();
        else if (got->status != 206 && got->status != 200) failures[i] = S3Error(*got, "GET " + source.url);
      });
    }
    for (auto& t : threads) t.join();
    for (size_t i = 0; i < round; ++i) {
      DCC_RETURN_IF_ERROR(failures[i]);
      hasher.Update(buffers[i].data(), buffers[i].size());
    }
  }
  return hasher.Finish();
}

}  // namespace dcc::client
