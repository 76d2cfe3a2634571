// src/server/services/upload_locks.h: what must not overlap within one multipart upload.
//
// Parts written in place share one staged file, so two writers of the same part number
// would interleave their bytes, and a part written while Complete publishes the file (or
// Abort removes it) would land in the published blob or nowhere. A part writer holds its
// part number; Complete and Abort hold the whole upload. Both wait rather than fail: a
// client that retries a part while its first attempt is still being received just queues.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace dcc::server {

class UploadLocks {
 public:
  // Releases what it holds when destroyed.
  class Held {
   public:
    Held(UploadLocks* locks, std::string upload_id, int part)
        : locks_(locks), upload_id_(std::move(upload_id)), part_(part) {}
    ~Held() { locks_->Release(upload_id_, part_); }
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;

   private:
    UploadLocks* locks_;
    std::string upload_id_;
    int part_;
  };

  // Waits until no one writes part `n` of the upload and no Complete or Abort runs.
  Held Part(const std::string& upload_id, int n);
  // Waits until no part of the upload is being written, then excludes part writers.
  Held Whole(const std::string& upload_id);

 private:
  static constexpr int kWhole = 0;  // part numbers start at 1
  struct Upload {
    std::set<int> parts;
    bool whole = false;
  };
  void Release(const std::string& upload_id, int part);

  std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, Upload> uploads_;
};

}  // namespace dcc::server
