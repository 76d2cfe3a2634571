// src/client/payload_rules.h: what the reference client does to a payload before it is
// sent (encode.md §1.5 step 4, §1.7, §1.9), each rule one function so POST, PATCH and
// PUT (RemoveProps) apply the same ones. Internal to libdcc.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "dcc/status.h"

namespace dcc::client {

// Aliases cleaned ('/' and '\' become '_', '#' dropped), prefixed with the lab's name when
// they have none, sorted and de-duplicated. InvalidArgument if `required` and there are
// none, or an alias needs a prefix and `lab` is empty.
Status PrepareAliases(nlohmann::json& payload, const std::string& lab, bool required);

// PATCH semantics of the reference: each array in `patch` is appended to the stored one
// in `current` (order kept, duplicates dropped).
void ExtendArrays(nlohmann::json& patch, const nlohmann::json& current);

// The attachment shortcut: every top-level value {"path": "/local/file"} becomes
// {"download": basename, "type": mime, "href": "data:<mime>;base64,..."}. The mime comes
// from the extension (common/mime_types.h); InvalidArgument (where = the property) for an
// unknown extension, NotFound/IOError for the file.
Status InlineAttachments(nlohmann::json& payload);

// File records (POST only): md5sum and file_size computed from submitted_file_name when
// absent or empty, a local file (one read, the hashing engine) or an s3://bucket/key
// object read through `s3_endpoint` with the AWS environment credentials (ranged GETs
// streamed through the hashing engine); and the fastq rule, paired_end dropped when
// run_type is "single-ended". When md5sum is missing: InvalidArgument for an unreadable
// local file or another remote source (gs://, https://: give md5sum and file_size), and
// OpenS3Source's errors for an s3:// object (NotFound, PermissionDenied, ...).
Status PrepareFileRecord(nlohmann::json& payload, const std::string& s3_endpoint = "");

}  // namespace dcc::client
