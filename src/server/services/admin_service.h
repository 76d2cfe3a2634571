// src/server/services/admin_service.h: bootstrap operations run by `dccd admin` against
// a data directory: users (principals with a user record), access keys, and policies on
// resource paths.
#pragma once

#include <string>
#include <vector>

#include "server/services/records_service.h"

namespace dcc::server {

struct NewUser {
  std::string email;
  std::string first_name;  // default: the part of the email before '@'
  std::string last_name;   // default: "User"
  bool admin = false;
  std::vector<std::string> labs;  // lab names the user submits for (need not exist yet)
};

struct IssuedKey {
  std::string access_key_id;
  std::string secret_access_key;  // shown once; only its argon2id hash is stored
};

class AdminService {
 public:
  explicit AdminService(RecordService& records) : records_(records) {}
  // Creates the user record and principal, or updates admin/labs of an existing one.
  // Returns the user's @id.
  Result<std::string> AddUser(const NewUser& user);
  // Issues a new access key for an existing user. NotFound if the email is unknown.
  Result<IssuedKey> AddKey(const std::string& email);
  // The principal of `email`; NotFound if unknown.
  Result<Principal> FindUser(const std::string& email);
  // Grants `methods` (comma-separated: read, create, update, delete, file_upload, or *)
  // on `policy.resource` to the existing user `policy.email`, replacing any earlier grant
  // on the same path. InvalidArgument for an unknown method or a path not starting with
  // '/'; NotFound for an unknown user.
  Status Grant(Policy policy, const std::string& methods);
  // Removes the grant of (email, resource); NotFound if there is none.
  Status Revoke(const std::string& email, const std::string& resource);

 private:
  RecordService& records_;
};

}  // namespace dcc::server
