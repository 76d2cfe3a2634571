// DownloadFile: parallel ranged GETs of a signed URL into a .part file, then md5 checked
// against the record before the file takes its name.
#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "common/hashing.h"
#include "common/sigv4.h"
#include "dcc/hash.h"
#include "dcc/transfer.h"

namespace dcc {
namespace {

struct RangeWrite {
  int fd;
  uint64_t offset;
  bool failed = false;
};

size_t WriteAt(char* data, size_t size, size_t n, void* arg) {
  auto* w = static_cast<RangeWrite*>(arg);
  size_t len = size * n;
  size_t done = 0;
  while (done < len) {
    ssize_t r = ::pwrite(w->fd, data + done, len - done, static_cast<off_t>(w->offset + done));
    if (r <= 0) {
      w->failed = true;
      return 0;  // makes libcurl stop with a write error
    }
    done += static_cast<size_t>(r);
  }
  w->offset += len;
  return len;
}

}  // namespace

Result<DownloadResult> DownloadFile(Client& client, const std::string& file_id, const std::string& dest_arg,
                                    const DownloadOptions& options) {
  DCC_ASSIGN_OR_RETURN(nlohmann::json record, client.Get({file_id}, GetOptions{}));
  const std::string href = record.value("href", "");
  const std::string md5 = record.value("md5sum", "");
  if (href.empty()) return Status::InvalidArgument("'" + file_id + "' is not a file record (no href)");
  const std::string name = href.substr(href.rfind('/') + 1);
  const std::string dest = dest_arg.empty() ? name : dest_arg;
  DCC_ASSIGN_OR_RETURN(Client::Response redirect, client.Request("GET", href, nullptr));
  if (redirect.status != 307 && redirect.status != 302 && redirect.status != 301) {
    std::string detail = redirect.body.is_object() ? redirect.body.value("detail", redirect.body.dump()) : redirect.body.dump();
    if (redirect.status == 404) return Status::NotFound(detail);
    if (redirect.status == 401) return Status::Unauthenticated(detail);
    if (redirect.status == 403) return Status::PermissionDenied(detail);
    return Status::IOError("@@download answered " + std::to_string(redirect.status) + ": " + detail);
  }
  std::string url = redirect.location;
  if (url.empty() && redirect.body.is_object()) url = redirect.body.value("location", "");
  if (url.rfind("http", 0) != 0) url = client.base_url() + url;
  const uint64_t size = record.value("file_size", uint64_t{0});

  const std::string part = dest + ".part";
  int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError(std::strerror(errno), part);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (size > 0 && ::ftruncate(fd, static_cast<off_t>(size)) != 0) return Status::IOError(std::strerror(errno), part);

  const uint64_t chunk = std::max<uint64_t>(options.chunk_size, 1u << 20);
  const uint64_t chunks = size == 0 ? 1 : (size + chunk - 1) / chunk;
  std::atomic<uint64_t> next{0}, received{0};
  std::mutex mu;
  Status failure;
  auto worker = [&] {
    CURL* curl = curl_easy_init();
    while (true) {
      uint64_t i = next.fetch_add(1);
      if (i >= chunks) break;
      {
        std::lock_guard lock(mu);
        if (!failure.ok()) break;
      }
      uint64_t first = i * chunk, last = std::min(size, first + chunk) - 1;
      RangeWrite w{fd, first};
      std::string range = std::to_string(first) + "-" + std::to_string(last);
      curl_easy_reset(curl);
      curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
      if (size > 0) curl_easy_setopt(curl, CURLOPT_RANGE, range.c_str());
      curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteAt);
      curl_easy_setopt(curl, CURLOPT_WRITEDATA, &w);
      curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
      CURLcode rc = curl_easy_perform(curl);
      long status = 0;
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
      std::lock_guard lock(mu);
      if (rc != CURLE_OK || (status != 206 && status != 200) || w.failed) {
        failure = w.failed ? Status::IOError("cannot write", part)
                           : Status::Unavailable("range " + range + ": " +
                                                 (rc != CURLE_OK ? curl_easy_strerror(rc) : "HTTP " + std::to_string(status)));
        break;
      }
      uint64_t got = received.fetch_add(w.offset - first) + (w.offset - first);
      if (options.progress) options.progress(got, size);
    }
    curl_easy_cleanup(curl);
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, std::min<int>(options.concurrency, static_cast<int>(chunks))); ++t)
    threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (!failure.ok()) {
    std::remove(part.c_str());
    return failure;
  }
  // Verify before the file takes its name.
  HashOptions ho;
  ho.part_size = 0;
  DCC_ASSIGN_OR_RETURN(FileDigests d, HashFile(part, ho));
  if (!md5.empty() && d.md5 != md5) {
    std::remove(part.c_str());
    return Status::ChecksumMismatch("downloaded md5 is " + d.md5 + ", the record says " + md5, dest);
  }
  if (std::rename(part.c_str(), dest.c_str()) != 0) return Status::IOError(std::strerror(errno), dest);
  return DownloadResult{dest, d.size, d.md5};
}

}  // namespace dcc
