// DownloadFile: parallel ranged GETs of a signed URL into a .part file, a state file of
// finished ranges so an interrupted download resumes, and the md5 computed in order as
// ranges land (a hashing thread trails the downloaders), checked against the record
// before the file takes its name.
#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "common/hashing.h"
#include "common/sigv4.h"
#include "dcc/transfer.h"

namespace dcc {
using nlohmann::json;

namespace {

struct RangeWrite {
  int fd;
  uint64_t offset;
  uint64_t max_bytes_per_second = 0;  // 0: unlimited
  uint64_t written = 0;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
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
  w->written += len;
  if (w->max_bytes_per_second) {
    // Sleep until this range's average rate is within the limit. (libcurl's own limit lets
    // a short range through in one burst before it has measured a rate.)
    auto due = w->start + std::chrono::microseconds(w->written * 1000000 / w->max_bytes_per_second);
    std::this_thread::sleep_until(due);
  }
  return len;
}

// <dest>.part.json: which chunks of <dest>.part hold verified-length bytes, and of what.
// A state that does not match the record (another file, size, md5 or chunk size) is
// ignored and the download starts over.
struct ResumeState {
  std::string uuid, md5;
  uint64_t size = 0, chunk = 0;
  std::vector<bool> done;

  static std::string PathFor(const std::string& part) { return part + ".json"; }

  bool Load(const std::string& path) {
    std::ifstream in(path);
    if (!in) return false;
    json j = json::parse(in, nullptr, false);
    if (!j.is_object() || !j.contains("done") || !j["done"].is_array()) return false;
    uuid = j.value("uuid", "");
    md5 = j.value("md5sum", "");
    size = j.value("file_size", uint64_t{0});
    chunk = j.value("chunk_size", uint64_t{0});
    if (chunk == 0) return false;
    done.assign(size == 0 ? 1 : (size + chunk - 1) / chunk, false);
    for (const auto& i : j["done"])
      if (i.is_number_unsigned() && i.get<uint64_t>() < done.size()) done[i.get<uint64_t>()] = true;
    return true;
  }

  // Written to a temporary file and renamed: a kill leaves the old state or the new one.
  void Save(const std::string& path) const {
    json finished = json::array();
    for (size_t i = 0; i < done.size(); ++i)
      if (done[i]) finished.push_back(i);
    json j = {{"uuid", uuid}, {"md5sum", md5}, {"file_size", size}, {"chunk_size", chunk}, {"done", finished}};
    const std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << j.dump();
      if (!out) return;  // resuming is an optimisation: a state we cannot write only costs a re-fetch
    }
    std::rename(tmp.c_str(), path.c_str());
  }
};

}  // namespace

Result<DownloadResult> DownloadFile(Client& client, const std::string& file_id, const std::string& dest_arg,
                                    const DownloadOptions& options) {
  DCC_ASSIGN_OR_RETURN(json record, client.Get({file_id}, GetOptions{}));
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
  const std::string state_path = ResumeState::PathFor(part);
  ResumeState state;
  const bool resuming = ::access(part.c_str(), F_OK) == 0 && state.Load(state_path) &&
                        state.uuid == record.value("uuid", "") && state.md5 == md5 && state.size == size;
  if (!resuming) {
    state = ResumeState{record.value("uuid", ""), md5, size, std::max<uint64_t>(options.chunk_size, 1u << 20), {}};
    state.done.assign(size == 0 ? 1 : (size + state.chunk - 1) / state.chunk, false);
  }
  const uint64_t chunk = state.chunk;  // a resumed download keeps its ranges
  const uint64_t chunks = state.done.size();
  int fd = ::open(part.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | (resuming ? 0 : O_TRUNC), 0644);
  if (fd < 0) return Status::IOError(std::strerror(errno), part);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (size > 0 && ::ftruncate(fd, static_cast<off_t>(size)) != 0) return Status::IOError(std::strerror(errno), part);
  state.Save(state_path);

  uint64_t resumed_bytes = 0;
  std::vector<uint64_t> todo;
  for (uint64_t i = 0; i < chunks; ++i) {
    if (state.done[i]) resumed_bytes += std::min(size, (i + 1) * chunk) - i * chunk;
    else todo.push_back(i);
  }

  std::mutex mu;
  std::condition_variable landed;  // a chunk finished, or the download failed
  Status failure;
  std::atomic<size_t> next{0};
  uint64_t received = resumed_bytes;
  if (options.progress && resumed_bytes) options.progress(received, size);

  auto worker = [&] {
    CURL* curl = curl_easy_init();
    while (true) {
      size_t k = next.fetch_add(1);
      if (k >= todo.size()) break;
      {
        std::lock_guard lock(mu);
        if (!failure.ok()) break;
      }
      const uint64_t i = todo[k];
      uint64_t first = i * chunk, last = std::min(size, first + chunk) - 1;
      RangeWrite w{fd, first, options.max_bytes_per_second};
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
      const uint64_t expected = size == 0 ? 0 : last - first + 1;
      std::lock_guard lock(mu);
      if (rc != CURLE_OK || (status != 206 && status != 200) || w.failed || w.offset - first != expected) {
        failure = w.failed ? Status::IOError("cannot write", part)
                           : Status::Unavailable("range " + range + ": " +
                                                 (rc != CURLE_OK ? curl_easy_strerror(rc)
                                                  : status != 206 && status != 200 ? "HTTP " + std::to_string(status)
                                                                                   : "short read"));
        landed.notify_all();
        break;
      }
      // Recorded only once its bytes are in the file: a kill after this keeps both.
      state.done[i] = true;
      state.Save(state_path);
      received += expected;
      if (options.progress) options.progress(received, size);
      landed.notify_all();
    }
    curl_easy_cleanup(curl);
  };

  // The md5 in file order, trailing the downloaders: each chunk is read back (from the page
  // cache) as soon as it and all before it have landed, so no second pass is needed.
  MultiHasher::Options ho;
  ho.md5_only = true;
  MultiHasher hasher(ho);
  Status hash_failure;
  std::thread hashing([&] {
    std::vector<char> buf(std::min<uint64_t>(chunk, 8u << 20));
    for (uint64_t i = 0; i < chunks && size > 0; ++i) {
      {
        std::unique_lock lock(mu);
        landed.wait(lock, [&] { return state.done[i] || !failure.ok(); });
        if (!failure.ok()) return;
      }
      uint64_t off = i * chunk, end = std::min(size, off + chunk);
      while (off < end) {
        ssize_t n = ::pread(fd, buf.data(), std::min<uint64_t>(buf.size(), end - off), static_cast<off_t>(off));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          hash_failure = Status::IOError(n < 0 ? std::strerror(errno) : "unexpected end of file", part);
          return;
        }
        hasher.Update(buf.data(), static_cast<size_t>(n));
        off += static_cast<uint64_t>(n);
      }
    }
  });

  std::vector<std::thread> threads;
  const int workers = std::max(1, std::min<int>(options.concurrency, static_cast<int>(std::max<size_t>(todo.size(), 1))));
  for (int t = 0; t < workers && !todo.empty(); ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  hashing.join();
  if (!failure.ok()) {  // the .part and its state stay: the same call again resumes
    if (failure.code() == Status::Code::kUnavailable)
      return Status::Unavailable(failure.message() + " (" + part + " is kept: run the download again to resume)");
    return failure;
  }
  DCC_RETURN_IF_ERROR(hash_failure);
  const std::string got = hasher.Finish().md5;
  std::remove(state_path.c_str());
  if (!md5.empty() && got != md5) {
    std::remove(part.c_str());
    return Status::ChecksumMismatch("downloaded md5 is " + got + ", the record says " + md5, dest);
  }
  if (std::rename(part.c_str(), dest.c_str()) != 0) return Status::IOError(std::strerror(errno), dest);
  return DownloadResult{dest, size, got, resumed_bytes};
}

}  // namespace dcc
