// src/cli/cmd_manifest.h: `dcc manifest download|verify|index|ingest-metadata|merge|
// verify-metadata`: the Gen3 SDK's manifest tools (gen3.md §5.6-5.12), streamed, batched
// and parallel. Flags and help in cmd_manifest.cc; the runs in cmd_manifest_*.cc.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "cli/gen3_connection.h"

namespace dcc::cli {

struct ManifestCommandOptions {
  Gen3Flags gen3;
  CLI::App *download = nullptr, *verify = nullptr, *index = nullptr, *ingest = nullptr, *merge = nullptr,
           *verify_metadata = nullptr;
  std::string input;     // the manifest read
  std::string output;    // -o
  std::string format;    // download: tsv or csv (default: by -o's extension)
  int page_size = 0;     // download: records per request (0: 1024 for /index/, 10000 for /bulk/export)
  bool no_export = false;// download: page through GET /index/ even if /bulk/export exists
  int batch = 0;         // verify/index: records per request (0: 1000 verify, 5000 index)
  int concurrency = 0;   // requests in flight (0: 2 for index, whose writes the server
                         // serializes, so more only queue; 4 for the reads)
  std::string checkpoint;// index: the checkpoint file (default: OUTPUT.checkpoint)
  bool restart = false;  // index: ignore an existing checkpoint
  bool per_record = false;  // index: POST/GET/PUT per record, as any indexd takes them
  std::string metadata_source = "dbgap";  // ingest/verify-metadata: the namespace in MDS data
  std::string guid_type;                  // ingest: force _guid_type
  std::string guid_column = "guid";
  // merge
  std::string indexing_manifest, metadata_manifest;
  std::string metadata_key = "submitted_sample_id";
  std::string indexing_key = "sample_id";
  bool partial = false;
  bool no_indexing_columns = false;
  std::string read_prefix = "/mds", admin_prefix = "/mds-admin";
  bool progress = true;
};

void AddManifestCommands(CLI::App& app, ManifestCommandOptions& o);
int RunManifest(const ManifestCommandOptions& o, std::ostream& out, std::ostream& err);

// The runs, one per tool.
int RunManifestDownload(const ManifestCommandOptions& o, std::ostream& out, std::ostream& err);
int RunManifestVerify(const ManifestCommandOptions& o, std::ostream& out, std::ostream& err);
int RunManifestIndex(const ManifestCommandOptions& o, std::ostream& out, std::ostream& err);
int RunManifestIngestMetadata(const ManifestCommandOptions& o, std::ostream& out, std::ostream& err);
int RunManifestVerifyMetadata(const ManifestCommandOptions& o, std::ostream& out, std::ostream& err);

}  // namespace dcc::cli
