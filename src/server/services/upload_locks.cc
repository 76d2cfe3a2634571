#include "server/services/upload_locks.h"

namespace dcc::server {

UploadLocks::Held UploadLocks::Part(const std::string& upload_id, int n) {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] {
    auto it = uploads_.find(upload_id);
    return it == uploads_.end() || (!it->second.whole && !it->second.parts.count(n));
  });
  uploads_[upload_id].parts.insert(n);
  return Held(this, upload_id, n);
}

UploadLocks::Held UploadLocks::Whole(const std::string& upload_id) {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] {
    auto it = uploads_.find(upload_id);
    return it == uploads_.end() || (!it->second.whole && it->second.parts.empty());
  });
  uploads_[upload_id].whole = true;
  return Held(this, upload_id, kWhole);
}

void UploadLocks::Release(const std::string& upload_id, int part) {
  {
    std::lock_guard lock(mu_);
    auto it = uploads_.find(upload_id);
    if (it == uploads_.end()) return;
    if (part == kWhole) it->second.whole = false;
    else it->second.parts.erase(part);
    if (!it->second.whole && it->second.parts.empty()) uploads_.erase(it);
  }
  changed_.notify_all();
}

}  // namespace dcc::server
