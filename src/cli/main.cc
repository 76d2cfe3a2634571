// dcc: the command-line client. One file per command group (cmd_*.cc), each with its help
// text, its options and a Run function that tests can call.
#include <sodium.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/cmd_config.h"
#include "cli/cmd_fastq.h"
#include "cli/cmd_file_tools.h"
#include "cli/cmd_hash.h"
#include "cli/cmd_index.h"
#include "cli/cmd_manifest.h"
#include "cli/cmd_mds.h"
#include "cli/cmd_lookup.h"
#include "cli/cmd_records.h"
#include "cli/cmd_register.h"
#include "cli/cmd_transfer.h"
#include "cli/exit_codes.h"

int main(int argc, char** argv) {
  using namespace dcc::cli;
  if (sodium_init() < 0) {
    std::cerr << "dcc: libsodium failed to initialise\n";
    return kExitFailed;
  }
  CLI::App app{"dcc: submit, index, upload, search and download against a dcc portal (dccd) or any portal\n"
               "that speaks the same protocols. Run `dcc COMMAND --help` for a command's manual.",
               "dcc"};
  app.require_subcommand(1);
  app.fallthrough();  // global flags such as --server may follow the command name too
  HashCommandOptions hash;
  AddHashCommand(app, hash);
  ConfigCommandOptions config;
  AddConfigCommand(app, config);
  ConnectionFlags connection;
  GetCommandOptions get;
  SearchCommandOptions search;
  AddRecordCommands(app, connection, get, search);
  RegisterCommandOptions register_options;
  AddRegisterCommand(app, register_options);
  UploadCommandOptions upload;
  AddUploadCommand(app, upload);
  DownloadCommandOptions download;
  AddDownloadCommand(app, download);
  IndexCommandOptions index;
  AddIndexCommands(app, index);
  MdsCommandOptions mds;
  AddMdsCommands(app, mds);
  DrsCommandOptions drs;
  AddDrsCommands(app, drs);
  ManifestCommandOptions manifest;
  AddManifestCommands(app, manifest);
  // encode_utils helpers (one file per group; each Run returns nullopt if not its command).
  LookupCommandOptions lookup;
  AddLookupCommands(app, lookup);
  FastqCommandOptions fastq;
  AddFastqCommands(app, fastq);
  FileToolsCommandOptions file_tools;
  AddFileToolsCommands(app, file_tools);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (app.got_subcommand("hash")) return RunHash(hash, std::cout, std::cerr);
  if (app.got_subcommand("config")) return RunConfigShow(config, std::cout, std::cerr);
  if (app.got_subcommand("get")) return RunGet(connection, get, std::cout, std::cerr);
  if (app.got_subcommand("search")) return RunSearch(connection, search, std::cout, std::cerr);
  if (app.got_subcommand("register")) return RunRegister(connection, register_options, std::cout, std::cerr);
  if (app.got_subcommand("upload")) return RunUpload(connection, upload, std::cout, std::cerr);
  if (app.got_subcommand("download")) return RunDownload(connection, download, std::cout, std::cerr);
  if (app.got_subcommand("index")) return RunIndex(index, std::cout, std::cerr);
  if (app.got_subcommand("mds")) return RunMds(mds, std::cout, std::cerr);
  if (app.got_subcommand("drs")) return RunDrs(drs, std::cout, std::cerr);
  if (app.got_subcommand("manifest")) return RunManifest(manifest, std::cout, std::cerr);
  if (auto rc = RunLookupCommands(app, connection, lookup, std::cout, std::cerr)) return *rc;
  if (auto rc = RunFastqCommands(app, connection, fastq, std::cout, std::cerr)) return *rc;
  if (auto rc = RunFileToolsCommands(app, connection, file_tools, std::cout, std::cerr)) return *rc;
  return kExitUsage;
}
