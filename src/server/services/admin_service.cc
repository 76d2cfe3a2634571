#include "server/services/admin_service.h"

#include <algorithm>

#include "common/ids.h"
#include "server/auth/secret_hash.h"

namespace dcc::server {
using nlohmann::json;

Result<std::string> AdminService::AddUser(const NewUser& user) {
  if (user.email.find('@') == std::string::npos)
    return Status::InvalidArgument("'" + user.email + "' is not an email address", "--email");
  Caller system{Principal{"system", "", true, {}}};
  std::string at_id, uuid;
  {
    DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
    DCC_ASSIGN_OR_RETURN(auto existing, reader->FindKey({"user:email", user.email}));
    if (existing) {
      DCC_ASSIGN_OR_RETURN(auto rec, reader->Get(*existing));
      uuid = *existing;
      at_id = rec ? rec->at_id : "";
    }
  }
  if (uuid.empty()) {
    json doc = {{"email", user.email},
                {"first_name", user.first_name.empty() ? user.email.substr(0, user.email.find('@'))
                                                       : user.first_name},
                {"last_name", user.last_name.empty() ? "User" : user.last_name}};
    if (user.admin) doc["groups"] = json::array({"admin"});
    DCC_ASSIGN_OR_RETURN(auto written, records_.Create(system, "user", doc));
    uuid = written.object["uuid"].get<std::string>();
    at_id = written.at_id;
  }
  DCC_ASSIGN_OR_RETURN(auto writer, records_.store().Write());
  DCC_RETURN_IF_ERROR(writer->PutPrincipal({user.email, uuid, user.admin, user.labs}));
  DCC_RETURN_IF_ERROR(writer->Commit());
  return at_id;
}

Result<IssuedKey> AdminService::AddKey(const std::string& email) {
  DCC_ASSIGN_OR_RETURN(auto writer, records_.store().Write());
  DCC_ASSIGN_OR_RETURN(auto principal, writer->FindPrincipal(email));
  if (!principal) {
    return Status::NotFound("no user with email '" + email + "'; add it with dccd admin add-user",
                            "--email");
  }
  IssuedKey key;
  for (int attempt = 0; attempt < 10; ++attempt) {
    key.access_key_id = NewAccessKeyId();
    DCC_ASSIGN_OR_RETURN(auto taken, writer->FindAccessKey(key.access_key_id));
    if (!taken) break;
  }
  key.secret_access_key = NewSecretAccessKey();
  DCC_ASSIGN_OR_RETURN(std::string hash, HashSecret(key.secret_access_key));
  DCC_RETURN_IF_ERROR(writer->PutAccessKey({key.access_key_id, hash, email, "current"}));
  DCC_RETURN_IF_ERROR(writer->Commit());
  return key;
}

Result<Principal> AdminService::FindUser(const std::string& email) {
  DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
  DCC_ASSIGN_OR_RETURN(auto principal, reader->FindPrincipal(email));
  if (!principal)
    return Status::NotFound("no user with email '" + email + "'; add it with dccd admin add-user", "--user");
  return *principal;
}

Status AdminService::Grant(Policy policy, const std::string& methods) {
  static const char* const kMethods[] = {"read", "create", "update", "delete", "file_upload", "*"};
  if (policy.resource.empty() || policy.resource[0] != '/')
    return Status::InvalidArgument("a resource path starts with '/', e.g. /programs/p/projects/q", "--resource");
  policy.methods.clear();
  size_t start = 0;
  while (start <= methods.size()) {
    size_t comma = methods.find(',', start);
    std::string m = methods.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (std::find(std::begin(kMethods), std::end(kMethods), m) == std::end(kMethods))
      return Status::InvalidArgument("unknown method '" + m + "'; use read, create, update, delete, "
                                     "file_upload or *", "--methods");
    policy.methods.push_back(m);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  DCC_ASSIGN_OR_RETURN(auto writer, records_.store().Write());
  DCC_ASSIGN_OR_RETURN(auto principal, writer->FindPrincipal(policy.email));
  if (!principal)
    return Status::NotFound("no user with email '" + policy.email + "'; add it with dccd admin add-user",
                            "--user");
  DCC_RETURN_IF_ERROR(writer->PutPolicy(policy));
  return writer->Commit();
}

Status AdminService::Revoke(const std::string& email, const std::string& resource) {
  DCC_ASSIGN_OR_RETURN(auto writer, records_.store().Write());
  DCC_ASSIGN_OR_RETURN(bool removed, writer->DeletePolicy(email, resource));
  if (!removed) return Status::NotFound("'" + email + "' has no policy on '" + resource + "'", "--resource");
  return writer->Commit();
}

}  // namespace dcc::server
