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

// File records (POST only): md5sum and file_size computed from a local
// submitted_file_name when absent or empty (one read, the hashing engine); and the fastq
// rule, paired_end dropped when run_type is "single-ended". InvalidArgument when md5sum
// is missing and submitted_file_name is not a readable local file (s3:// and gs://
// sources are not read by dcc: give md5sum and file_size).
Status PrepareFileRecord(nlohmann::json& payload);

}  // namespace dcc::client
