// The local-filesystem BlobStore. Durable commit, written once (STYLE habit 8): stage in
// the store's own filesystem, hash while writing, fsync, check, rename into place, fsync
// the directory. Only then does Commit return OK.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "server/blob/blob_store.h"

namespace dcc::server {
namespace {
namespace fs = std::filesystem;

Status ErrnoStatus(const std::string& what, const std::string& where, int err) {
  if (err == ENOENT) return Status::NotFound(what + ": no such blob", where);
  if (err == ENOSPC || err == EDQUOT) return Status::IOError(what + ": no space left on device", where);
  return Status::IOError(what + ": " + std::strerror(err), where);
}

// A file descriptor closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    Reset();
    fd_ = o.fd_;
    o.fd_ = -1;
    return *this;
  }
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

Status FsyncDir(const fs::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) return ErrnoStatus("fsync directory", dir, errno);
  return Status::Ok();
}

// mkdir -p, fsyncing each new directory's parent so the new entries are durable too.
Status MakeDirs(const fs::path& dir, const fs::path& root) {
  if (dir == root || fs::exists(dir)) return Status::Ok();
  DCC_RETURN_IF_ERROR(MakeDirs(dir.parent_path(), root));
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoStatus("mkdir", dir, errno);
  return FsyncDir(dir.parent_path());
}

bool ValidStagingId(const std::string& id) {
  return !id.empty() && id.size() <= 128 &&
         std::all_of(id.begin(), id.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; });
}

Status CheckExpectations(const Digests& d, const BlobExpectations& e) {
  if (!e.transport_sha256.empty() && e.transport_sha256 != d.sha256) {
    return Status::InvalidArgument("the body's sha256 is " + d.sha256 +
                                   ", not the x-amz-content-sha256 sent (" + e.transport_sha256 + ")");
  }
  if (e.size && *e.size != d.size) {
    return Status::ChecksumMismatch("size is " + std::to_string(d.size) + " bytes, expected " +
                                    std::to_string(*e.size));
  }
  auto mismatch = [](const char* name, const std::string& want, const std::string& got) {
    return Status::ChecksumMismatch(std::string(name) + " is " + got + ", expected " + want);
  };
  if (!e.md5.empty() && e.md5 != d.md5) return mismatch("md5", e.md5, d.md5);
  if (!e.sha1.empty() && !d.sha1.empty() && e.sha1 != d.sha1) return mismatch("sha1", e.sha1, d.sha1);
  if (!e.sha256.empty() && !d.sha256.empty() && e.sha256 != d.sha256) return mismatch("sha256", e.sha256, d.sha256);
  if (e.crc32c && !d.sha256.empty() && *e.crc32c != d.crc32c)
    return mismatch("crc32c", Crc32cBase64(*e.crc32c), Crc32cBase64(d.crc32c));
  return Status::Ok();
}

// The bytes of one staged file on their way in. They are gathered into 1 MiB before they
// are hashed and written: HTTP bodies arrive in 4 KiB pieces, and a syscall and a hash
// handoff per piece cost more than the copy. Written at the file position, or (ranged
// staging) with pwrite from `offset` on, so writers of other ranges never interfere.
class HashingFileSink {
 public:
  HashingFileSink(fs::path path, Fd fd, bool md5_only, int64_t offset = -1)
      : path_(std::move(path)), fd_(std::move(fd)), next_(offset),
        hasher_(MultiHasher::Options{0, md5_only ? 1 : 2, md5_only}) {}

  Status Write(const char* p, size_t len) {
    size_ += len;
    if (buffer_.size() + len < kBufferBytes) {
      buffer_.append(p, len);
      return Status::Ok();
    }
    DCC_RETURN_IF_ERROR(Flush());
    if (len >= kBufferBytes) return HashAndWrite(p, len);
    buffer_.append(p, len);
    return Status::Ok();
  }

  Status Flush() {
    if (buffer_.empty()) return Status::Ok();
    Status s = HashAndWrite(buffer_.data(), buffer_.size());
    buffer_.clear();
    return s;
  }

  // Flushes, then fsync (or fdatasync: the file's size is covered, its times are not needed).
  Status Durable(bool data_only) {
    DCC_RETURN_IF_ERROR(Flush());
    if ((data_only ? ::fdatasync(fd_.get()) : ::fsync(fd_.get())) != 0)
      return ErrnoStatus(data_only ? "fdatasync" : "fsync", path_, errno);
    return Status::Ok();
  }

  void Close() { fd_.Reset(); }
  const fs::path& path() const { return path_; }
  MultiHasher& hasher() { return hasher_; }
  uint64_t size() const { return size_; }
  void set_size(uint64_t s) { size_ = s; }

 private:
  static constexpr size_t kBufferBytes = 1u << 20;

  Status HashAndWrite(const char* p, size_t len) {
    hasher_.Update(p, len);
    const int64_t at = next_;
    while (len > 0) {
      ssize_t n = next_ < 0 ? ::write(fd_.get(), p, len) : ::pwrite(fd_.get(), p, len, static_cast<off_t>(next_));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write", path_, errno);
      }
      p += n;
      len -= static_cast<size_t>(n);
      if (at >= 0) next_ += n;
    }
    return Status::Ok();
  }

  fs::path path_;
  Fd fd_;
  int64_t next_;  // -1: append at the file position
  // Two lanes (md5 | sha1 + sha256) and no multipart ETag: a single stream's ETag is its
  // md5, and multipart uploads take theirs from their parts.
  MultiHasher hasher_;
  std::string buffer_;
  uint64_t size_ = 0;
};

class LocalBlobWriter final : public BlobWriter {
 public:
  LocalBlobWriter(fs::path staging, fs::path objects, Fd fd, bool md5_only = false)
      : objects_(std::move(objects)), sink_(std::move(staging), std::move(fd), md5_only) {}

  Status Write(const void* data, size_t len) override {
    if (done_) return Status::Internal("write after commit or abandon");
    return sink_.Write(static_cast<const char*>(data), len);
  }

  uint64_t size() const override { return sink_.size(); }

  Status Sync() override {
    if (done_) return Status::Internal("sync after commit or abandon");
    return sink_.Durable(false);
  }

  Result<Digests> Commit(const std::string& key, const BlobExpectations& expect) override {
    if (done_) return Status::Internal("commit after commit or abandon");
    DCC_RETURN_IF_ERROR(ValidateBlobKey(key));
    DCC_RETURN_IF_ERROR(sink_.Durable(false));
    sink_.Close();
    Digests d = sink_.hasher().Finish();
    done_ = true;
    const fs::path& staging = sink_.path();
    if (Status s = CheckExpectations(d, expect); !s.ok()) {
      ::unlink(staging.c_str());
      return s;
    }
    fs::path target = objects_ / key;
    DCC_RETURN_IF_ERROR(MakeDirs(target.parent_path(), objects_));
    if (::rename(staging.c_str(), target.c_str()) != 0) return ErrnoStatus("rename", target, errno);
    DCC_RETURN_IF_ERROR(FsyncDir(target.parent_path()));
    return d;
  }

  Status Abandon() override {
    done_ = true;
    sink_.Close();
    if (::unlink(sink_.path().c_str()) != 0 && errno != ENOENT) return ErrnoStatus("unlink", sink_.path(), errno);
    return Status::Ok();
  }

  MultiHasher& hasher() { return sink_.hasher(); }
  void set_size(uint64_t s) { sink_.set_size(s); }

 private:
  fs::path objects_;
  HashingFileSink sink_;
  bool done_ = false;
};

// One range of a staged file that several writers share (ranged staging).
class LocalRangeWriter final : public BlobRangeWriter {
 public:
  LocalRangeWriter(fs::path path, Fd fd, uint64_t offset, bool md5_only)
      : sink_(std::move(path), std::move(fd), md5_only, static_cast<int64_t>(offset)) {}

  Status Write(const void* data, size_t len) override {
    if (done_) return Status::Internal("write after finish");
    return sink_.Write(static_cast<const char*>(data), len);
  }

  uint64_t size() const override { return sink_.size(); }

  Result<Digests> Finish(const BlobExpectations& expect) override {
    if (done_) return Status::Internal("finish after finish");
    done_ = true;
    DCC_RETURN_IF_ERROR(sink_.Durable(true));
    sink_.Close();
    Digests d = sink_.hasher().Finish();
    DCC_RETURN_IF_ERROR(CheckExpectations(d, expect));
    return d;
  }

 private:
  HashingFileSink sink_;
  bool done_ = false;
};

class LocalBlobReader final : public BlobReader {
 public:
  LocalBlobReader(Fd fd, uint64_t offset, uint64_t length)
      : fd_(std::move(fd)), pos_(offset), end_(offset + length), length_(length) {}
  Result<size_t> Read(void* buf, size_t len) override {
    size_t want = static_cast<size_t>(std::min<uint64_t>(len, end_ - pos_));
    if (want == 0) return size_t{0};
    while (true) {
      ssize_t n = ::pread(fd_.get(), buf, want, static_cast<off_t>(pos_));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoStatus("read", "", errno);
      if (n == 0) return Status::IOError("blob shrank while being read");
      pos_ += static_cast<uint64_t>(n);
      return static_cast<size_t>(n);
    }
  }
  uint64_t length() const override { return length_; }

 private:
  Fd fd_;
  uint64_t pos_, end_, length_;
};

class LocalBlobStore final : public BlobStore {
 public:
  explicit LocalBlobStore(fs::path dir) : objects_(dir / "objects"), staging_(dir / "staging") {}

  Status Init() {
    std::error_code ec;
    fs::create_directories(objects_, ec);
    fs::create_directories(staging_, ec);
    if (ec) return Status::IOError("cannot create blob directories: " + ec.message(), objects_);
    return Status::Ok();
  }

  BlobCapabilities capabilities() const override {
    BlobCapabilities c;
    c.ranged_staging = true;
    return c;
  }

  Result<std::unique_ptr<BlobWriter>> Stage(const std::string& id, bool md5_only) override {
    if (!ValidStagingId(id)) return Status::InvalidArgument("bad staging id '" + id + "'");
    fs::path path = staging_ / id;
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.get() < 0) {
      if (errno == EEXIST) return Status::Conflict("upload '" + id + "' is already staged");
      return ErrnoStatus("create staging file", path, errno);
    }
    return std::unique_ptr<BlobWriter>(new LocalBlobWriter(path, objects_, std::move(fd), md5_only));
  }

  Result<std::unique_ptr<BlobWriter>> Resume(const std::string& id) override {
    if (!ValidStagingId(id)) return Status::InvalidArgument("bad staging id '" + id + "'");
    fs::path path = staging_ / id;
    Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (in.get() < 0) return ErrnoStatus("open staging file", path, errno);
    Fd out(::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
    if (out.get() < 0) return ErrnoStatus("open staging file", path, errno);
    auto w = std::make_unique<LocalBlobWriter>(path, objects_, std::move(out));
    // Hash state is not persisted; re-read what was staged before the restart.
    std::vector<char> buf(1 << 20);
    uint64_t total = 0;
    while (true) {
      ssize_t n = ::read(in.get(), buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoStatus("read staging file", path, errno);
      if (n == 0) break;
      w->hasher().Update(buf.data(), static_cast<size_t>(n));
      total += static_cast<uint64_t>(n);
    }
    w->set_size(total);
    return std::unique_ptr<BlobWriter>(std::move(w));
  }

  Result<std::unique_ptr<BlobRangeWriter>> StageRange(const std::string& id, uint64_t offset,
                                                      bool md5_only) override {
    if (!ValidStagingId(id)) return Status::InvalidArgument("bad staging id '" + id + "'");
    fs::path path = staging_ / id;
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    if (fd.get() < 0) return ErrnoStatus("open staging file", path, errno);
    return std::unique_ptr<BlobRangeWriter>(new LocalRangeWriter(path, std::move(fd), offset, md5_only));
  }

  Result<std::unique_ptr<BlobReader>> OpenStaged(const std::string& id, uint64_t offset,
                                                 uint64_t length) override {
    if (!ValidStagingId(id)) return Status::InvalidArgument("bad staging id '" + id + "'");
    return OpenRange(staging_ / id, offset, length, "staged upload '" + id + "'");
  }

  Status TruncateStaged(const std::string& id, uint64_t size) override {
    if (!ValidStagingId(id)) return Status::InvalidArgument("bad staging id '" + id + "'");
    fs::path path = staging_ / id;
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) return ErrnoStatus("truncate", path, errno);
    return Status::Ok();
  }

  Status RemoveStaged(const std::string& id) override {
    if (!ValidStagingId(id)) return Status::InvalidArgument("bad staging id '" + id + "'");
    fs::path path = staging_ / id;
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("unlink", path, errno);
    return Status::Ok();
  }

  Result<BlobInfo> Stat(const std::string& key) override {
    DCC_RETURN_IF_ERROR(ValidateBlobKey(key));
    struct stat st;
    if (::stat((objects_ / key).c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      return Status::NotFound("no blob '" + key + "'");
    return BlobInfo{key, static_cast<uint64_t>(st.st_size), static_cast<int64_t>(st.st_mtime)};
  }

  Result<std::unique_ptr<BlobReader>> Open(const std::string& key, uint64_t offset,
                                           uint64_t length) override {
    DCC_RETURN_IF_ERROR(ValidateBlobKey(key));
    return OpenRange(objects_ / key, offset, length, "blob '" + key + "'");
  }

  Status Delete(const std::string& key) override {
    DCC_RETURN_IF_ERROR(ValidateBlobKey(key));
    fs::path path = objects_ / key;
    if (::unlink(path.c_str()) != 0) {
      if (errno == ENOENT) return Status::NotFound("no blob '" + key + "'");
      return ErrnoStatus("unlink", path, errno);
    }
    return FsyncDir(path.parent_path());
  }

  Result<std::vector<BlobInfo>> List(const std::string& prefix) override {
    std::vector<BlobInfo> out;
    std::error_code ec;
    // Walk only the directory the prefix names ("a/b/c" -> objects/a/b/), not the store.
    const size_t slash = prefix.rfind('/');
    const fs::path root = slash == std::string::npos ? objects_ : objects_ / prefix.substr(0, slash);
    if (!fs::is_directory(root, ec)) return out;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      std::string key = fs::relative(it->path(), objects_).generic_string();
      if (key.compare(0, prefix.size(), prefix) != 0) continue;
      struct stat st;
      if (::stat(it->path().c_str(), &st) != 0) continue;  // removed meanwhile
      out.push_back({key, static_cast<uint64_t>(st.st_size), static_cast<int64_t>(st.st_mtime)});
    }
    if (ec) return Status::IOError("list blobs: " + ec.message(), objects_);
    std::sort(out.begin(), out.end(), [](const BlobInfo& a, const BlobInfo& b) { return a.key < b.key; });
    return out;
  }

  Result<int> SweepStaging(std::chrono::seconds max_age) override {
    int removed = 0;
    auto now = fs::file_time_type::clock::now();
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(staging_, ec)) {
      if (now - entry.last_write_time() > max_age && fs::remove(entry.path(), ec)) ++removed;
    }
    if (ec) return Status::IOError("sweep staging: " + ec.message(), staging_);
    return removed;
  }

 private:
  static Result<std::unique_ptr<BlobReader>> OpenRange(const fs::path& path, uint64_t offset,
                                                       uint64_t length, const std::string& what) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
      if (errno == ENOENT) return Status::NotFound("no " + what);
      return ErrnoStatus("open", path, errno);
    }
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("stat", path, errno);
    uint64_t size = static_cast<uint64_t>(st.st_size);
    if (offset > size || (offset == size && size > 0)) {
      return Status::InvalidArgument("range starts at byte " + std::to_string(offset) +
                                     ", past the end of a " + std::to_string(size) + "-byte blob");
    }
    length = std::min(length, size - offset);
    return std::unique_ptr<BlobReader>(new LocalBlobReader(std::move(fd), offset, length));
  }

  fs::path objects_;
  fs::path staging_;
};

}  // namespace

Status ValidateBlobKey(const std::string& key) {
  if (key.empty() || key.size() > 1024) return Status::InvalidArgument("blob key must be 1-1024 bytes");
  if (key.find('\0') != std::string::npos || key.find('\\') != std::string::npos)
    return Status::InvalidArgument("blob key may not contain NUL or backslash", key);
  size_t start = 0;
  while (start <= key.size()) {
    size_t slash = key.find('/', start);
    std::string seg = key.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (seg.empty() || seg == "." || seg == "..")
      return Status::InvalidArgument("blob key has an empty, '.' or '..' segment", key);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return Status::Ok();
}

Result<std::unique_ptr<BlobStore>> OpenLocalBlobStore(const std::string& dir) {
  auto store = std::make_unique<LocalBlobStore>(dir);
  DCC_RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<BlobStore>(std::move(store));
}

}  // namespace dcc::server
