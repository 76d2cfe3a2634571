#include "server/auth/authorizer.h"

#include <algorithm>

namespace dcc::server {
namespace {

std::string_view TrimSlashes(std::string_view p) {
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  return p;
}

}  // namespace

bool PathCovers(std::string_view policy_path, std::string_view resource) {
  policy_path = TrimSlashes(policy_path);
  resource = TrimSlashes(resource);
  if (policy_path.empty() || resource.empty()) return false;
  if (policy_path == "/") return resource.front() == '/';
  if (resource.size() < policy_path.size() || resource.substr(0, policy_path.size()) != policy_path) return false;
  return resource.size() == policy_path.size() || resource[policy_path.size()] == '/';
}

bool PoliciesAllow(const std::vector<Policy>& policies, std::string_view method, std::string_view resource) {
  for (const auto& p : policies) {
    if (!PathCovers(p.resource, resource)) continue;
    for (const auto& m : p.methods)
      if (m == "*" || m == method) return true;
  }
  return false;
}

std::vector<Policy> Authorizer::PoliciesOf(const std::string& email) const {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(email);
    if (it != cache_.end() && it->second.expires > now) return it->second.policies;
  }
  std::vector<Policy> policies;
  auto reader = store_.Read();
  if (reader.ok()) {
    auto listed = (*reader)->ListPolicies(email);
    if (listed.ok()) policies = std::move(*listed);  // a store error grants nothing
  }
  std::lock_guard lock(mu_);
  if (cache_.size() > 10000) cache_.clear();
  cache_[email] = Cached{policies, now + kPolicyCacheTtl};
  return policies;
}

bool Authorizer::Allowed(const Caller& caller, std::string_view method,
                         const std::vector<std::string>& resources) const {
  if (caller.admin()) return true;
  if (resources.empty()) return method == "read";
  std::vector<Policy> policies;
  if (caller.principal) policies = PoliciesOf(caller.principal->email);
  for (const auto& r : resources) {
    if (method == "read" && PathCovers("/open", r)) continue;
    if (!PoliciesAllow(policies, method, r)) return false;
  }
  return true;
}

}  // namespace dcc::server
