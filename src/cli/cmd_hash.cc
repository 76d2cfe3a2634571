#include "cli/cmd_hash.h"

#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "dcc/hash.h"

namespace dcc::cli {
namespace {

const char* kHelp = R"(Compute every digest dcc records, for local files, in one read.

For each FILE, dcc hash reads the bytes once and prints md5, sha1, sha256, crc32c and the
S3 ETag the file gets when uploaded in --part-size-mib parts (what `aws s3 cp` and boto3
use by default: 8 MiB). These are the values a portal checks an upload against: md5sum
and file_size go into the file record, the ETag is what S3 reports after a multipart
upload, crc32c is what S3 and tus send as a checksum.

Example:
  $ dcc hash reads_R1.fastq.gz
  path               size       md5                               sha1  sha256  crc32c    s3_etag
  reads_R1.fastq.gz  104857600  b6d81b360a5672d80c27430f39153e2c  3b71  30e1    tK+Zjw==  9e4c57d2…-13

(sha1 and sha256 shortened here; files smaller than one part get their md5 as ETag, as
a single PUT does.)

  $ dcc hash --format json *.bam | jq -r '.[].md5'

The whole file is never held in memory; one file uses at most two cores (md5 cannot be
split), so hash several files at once from a shell to use more.

See also: md5sum(1), sha256sum(1); `dcc upload` (coming) computes these while uploading.

EXIT STATUS
  0  every file was hashed
  3  a FILE does not exist
  4  a FILE could not be read (the message says why)
  2  bad flags

)";

void PrintProgress(const std::string& path, uint64_t done, uint64_t total) {
  if (total == 0) return;
  std::fprintf(stderr, "\r%s: %3d%% of %.1f MiB", path.c_str(), static_cast<int>(done * 100 / total),
               static_cast<double>(total) / 1048576.0);
  if (done == total) std::fprintf(stderr, "\r\033[K");
}

}  // namespace

void AddHashCommand(CLI::App& app, HashCommandOptions& o) {
  auto* cmd = app.add_subcommand("hash", "md5, sha1, sha256, crc32c and the S3 ETag of files, in one read");
  cmd->footer(kHelp);
  cmd->add_option("FILE", o.paths, "files to hash")->required();
  cmd->add_option("--format", o.format, "tsv (with a header line) or json (an array)")
      ->check(CLI::IsMember({"tsv", "json"}))
      ->capture_default_str();
  cmd->add_option("--part-size-mib", o.part_size_mib,
                  "part size of the S3 multipart ETag; 0 gives the single-PUT ETag (the md5)")
      ->capture_default_str();
  cmd->add_flag("!--no-progress", o.progress, "no progress line, even on a terminal");
}

int RunHash(const HashCommandOptions& o, std::ostream& out, std::ostream& err) {
  HashOptions options;
  options.part_size = o.part_size_mib << 20;
  const bool tty = o.progress && isatty(STDERR_FILENO);
  int exit_code = kExitOk;
  nlohmann::json all = nlohmann::json::array();
  if (o.format == "tsv") out << "path\tsize\tmd5\tsha1\tsha256\tcrc32c\ts3_etag\n";
  for (const auto& path : o.paths) {
    if (tty) options.progress = [&](uint64_t done, uint64_t total) { PrintProgress(path, done, total); };
    auto d = HashFile(path, options);
    if (!d.ok()) {
      err << "dcc hash: " << d.status().ToString() << "\n";
      exit_code = d.status().code() == Status::Code::kNotFound ? kExitNotFound : kExitIOError;
      continue;
    }
    if (o.format == "json") {
      all.push_back({{"path", d->path}, {"size", d->size}, {"md5", d->md5}, {"sha1", d->sha1},
                     {"sha256", d->sha256}, {"crc32c", d->crc32c}, {"s3_etag", d->s3_etag},
                     {"part_size", d->part_size}});
    } else {
      out << d->path << '\t' << d->size << '\t' << d->md5 << '\t' << d->sha1 << '\t' << d->sha256 << '\t'
          << d->crc32c << '\t' << d->s3_etag << '\n';
    }
  }
  if (o.format == "json") out << all.dump(2) << "\n";
  return exit_code;
}

}  // namespace dcc::cli
