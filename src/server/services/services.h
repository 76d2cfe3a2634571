// src/server/services/services.h: the services a dialect's routes call, built once by
// main and shared by every listener.
#pragma once

#include "schema/profile.h"
#include "server/auth/authenticator.h"
#include "server/auth/authorizer.h"
#include "server/auth/token_service.h"
#include "server/auth/upload_credentials.h"
#include "server/services/attachment_service.h"
#include "server/services/data_service.h"
#include "server/services/file_service.h"
#include "server/services/index_service.h"
#include "server/services/metadata_service.h"
#include "server/services/records_service.h"
#include "server/services/s3_service.h"
#include "server/services/search_service.h"
#include "server/services/tus_service.h"

namespace dcc::server {

struct Services {
  Authenticator& auth;
  RecordService& records;
  SearchService& search;
  const schema::ProfileSet& profiles;
  FileService& files;
  S3Service& s3;
  const UploadCredentialIssuer& issuer;
  AttachmentService& attachments;
  TusService& tus;
  Authorizer& authz;  // resource-path policies (index, DRS, metadata, fence data)
  IndexService& index;  // the file index: /index, /bulk, DRS (and fence's /user/data)
  TokenService& tokens;  // fence-style API keys and access tokens
  MetadataService& metadata;  // the metadata service (MDS)
  DataService& data;          // fence's /user/data: signed URLs, uploads into the index
};

}  // namespace dcc::server
