#include "cli/cmd_transfer.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "cli/exit_codes.h"
#include "dcc/transfer.h"

namespace dcc::cli {
namespace {

const char* kHelp = R"(Upload a file's bytes to its file record, verified by the portal.

dcc upload asks the portal for fresh upload credentials (POST @@upload), sends PATH to the
record's upload_url through the portal's S3-compatible endpoint as a multipart upload
with --concurrency parts in flight, and reports what the portal decided: "in progress"
when the bytes match the record's md5sum and file_size, or "content error" and why.
Interrupted? Run the same command again: parts already stored are checked (md5) and not
sent again.

PATH may be an s3://bucket/key object instead of a local file: each part is fetched from
it by a ranged GET (through the same endpoint, with AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN) and sent on; it is never held whole. A
missing object (exit 3) or refused credentials (exit 5) fail before anything is sent.

Example:
  $ dcc upload DCCFF123ABC reads_R1.fastq.gz --s3-endpoint http://portal.example.org:9000
  uploaded reads_R1.fastq.gz (1024.0 MiB, 128 parts, 0 resumed) to s3://dcc-files/2026/11/21/…/DCCFF123ABC.fastq.gz
  DCCFF123ABC is in progress: the portal verified md5 and size

The S3 endpoint comes from --s3-endpoint, else "s3_endpoint" in the config, else
AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (as for aws s3 cp against a non-AWS portal).

See also: dcc hash (the md5sum and file_size to put in the record), dcc register.

EXIT STATUS
  0  uploaded and verified   1  the portal rejected the bytes (content error) or refused
  3  no such file or record   4  the local file could not be read
  5  credentials refused (or the file is not awaiting bytes)   6  unreachable   2  bad flags

)";

const char* kDownloadHelp = R"(Download a file record's bytes, verified against the record's md5sum.

dcc download follows the record's @@download link to its signed URL, fetches
--concurrency byte ranges at a time into OUTPUT.part, hashes them in order as they land,
checks the md5 against the record, and only then renames it to OUTPUT (default: the
record's file name, e.g. DCCFF123ABC.bam). A mismatch leaves nothing behind.

Interrupted (killed, network down)? Run the same command again: OUTPUT.part.json lists
the ranges already written, and only the others are fetched. The md5 is still checked
over the whole file before the rename.

Example:
  $ dcc download DCCFF123ABC -o sample.bam
  downloaded DCCFF123ABC to sample.bam (1024.0 MiB), md5 b6d81b360a5672d80c27430f39153e2c verified
  $ dcc download DCCFF123ABC -o sample.bam     # after a ^C at 40%
  downloaded DCCFF123ABC to sample.bam (1024.0 MiB, 408.0 MiB resumed), md5 b6d81b36… verified

See also: dcc upload, dcc hash.

EXIT STATUS
  0  downloaded and verified   1  the bytes did not match the record, or a transfer failed
  3  no such record, or no bytes yet   4  OUTPUT could not be written
  5  credentials refused   6  unreachable   2  bad flags

)";

void ProgressLine(uint64_t done, uint64_t total) {
  std::fprintf(stderr, "\r%3d%% of %.1f MiB", static_cast<int>(total ? done * 100 / total : 100),
               static_cast<double>(total) / 1048576.0);
  if (done == total) std::fprintf(stderr, "\r\033[K");
}

}  // namespace

void AddUploadCommand(CLI::App& app, UploadCommandOptions& o) {
  auto* u = app.add_subcommand("upload", "upload a file's bytes to its file record, verified");
  u->footer(kHelp);
  u->add_option("FILE_ID", o.file_id, "the file record: accession, uuid or alias")->required();
  u->add_option("PATH", o.path, "the local file, or an s3://bucket/key object")->required();
  u->add_option("--s3-endpoint", o.s3_endpoint, "the portal's S3 endpoint URL");
  u->add_option("--part-size-mib", o.part_size_mib, "multipart part size (min 5)")->capture_default_str();
  u->add_option("--concurrency", o.concurrency, "parts in flight")->capture_default_str()->check(CLI::Range(1, 64));
  u->add_flag("!--no-progress", o.progress, "no progress line, even on a terminal");
}

int RunUpload(const ConnectionFlags& connection, const UploadCommandOptions& o, std::ostream& out, std::ostream& err) {
  auto c = Connect(connection);
  if (!c.ok()) {
    err << "dcc upload: " << c.status().ToString() << "\n";
    return ExitCodeFor(c.status());
  }
  UploadOptions options;
  options.s3_endpoint = S3EndpointFrom(o.s3_endpoint, c->config);
  options.part_size = o.part_size_mib << 20;
  options.concurrency = o.concurrency;
  if (o.progress && isatty(STDERR_FILENO)) options.progress = ProgressLine;
  auto r = UploadFile(*c->client, o.file_id, o.path, options);
  if (!r.ok()) {
    err << "dcc upload: " << r.status().ToString() << "\n";
    return ExitCodeFor(r.status());
  }
  char size[32];
  std::snprintf(size, sizeof size, "%.1f MiB", static_cast<double>(r->size) / 1048576.0);
  out << "uploaded " << o.path << " (" << size << ", " << r->parts << " parts, " << r->parts_resumed
      << " resumed) to " << r->upload_url << "\n";
  if (r->status == "in progress") {
    out << o.file_id << " is in progress: the portal verified md5 and size\n";
    return kExitOk;
  }
  out << o.file_id << " is " << r->status << (r->content_error_detail.empty() ? "" : ": " + r->content_error_detail) << "\n";
  return kExitFailed;
}

void AddDownloadCommand(CLI::App& app, DownloadCommandOptions& o) {
  auto* d = app.add_subcommand("download", "download a file record's bytes, verified");
  d->footer(kDownloadHelp);
  d->add_option("FILE_ID", o.file_id, "the file record: accession, uuid or alias")->required();
  d->add_option("-o,--output", o.output, "where to write (default: the record's file name)");
  d->add_option("--chunk-size-mib", o.chunk_size_mib, "bytes per ranged request")->capture_default_str();
  d->add_option("--concurrency", o.concurrency, "ranges in flight")->capture_default_str()->check(CLI::Range(1, 64));
  d->add_option("--limit-rate-mib", o.limit_rate_mib, "at most this many MiB/s per range in flight (0: no limit)")
      ->check(CLI::NonNegativeNumber);
  d->add_flag("!--no-progress", o.progress, "no progress line, even on a terminal");
}

int RunDownload(const ConnectionFlags& connection, const DownloadCommandOptions& o, std::ostream& out,
                std::ostream& err) {
  auto c = Connect(connection);
  if (!c.ok()) {
    err << "dcc download: " << c.status().ToString() << "\n";
    return ExitCodeFor(c.status());
  }
  DownloadOptions options;
  options.chunk_size = o.chunk_size_mib << 20;
  options.concurrency = o.concurrency;
  options.max_bytes_per_second = static_cast<uint64_t>(o.limit_rate_mib * 1048576.0);
  if (o.progress && isatty(STDERR_FILENO)) options.progress = ProgressLine;
  auto r = DownloadFile(*c->client, o.file_id, o.output, options);
  if (!r.ok()) {
    err << "dcc download: " << r.status().ToString() << "\n";
    return ExitCodeFor(r.status());
  }
  char size[32];
  std::snprintf(size, sizeof size, "%.1f MiB", static_cast<double>(r->size) / 1048576.0);
  out << "downloaded " << o.file_id << " to " << r->path << " (" << size;
  if (r->resumed_bytes) {
    std::snprintf(size, sizeof size, "%.1f MiB", static_cast<double>(r->resumed_bytes) / 1048576.0);
    out << ", " << size << " resumed";
  }
  out << "), md5 " << r->md5 << " verified\n";
  return kExitOk;
}

}  // namespace dcc::cli
