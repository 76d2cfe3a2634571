// include/dcc/experiments.h: the experiment-level helpers of the reference client
// (encode.md §1.11, §1.13; the seed's eu_get_replicate_fastq_encffs,
// eu_report_fastq_content_errors and eu_add_controlled_by).
//
// An experiment's FASTQ files are found with one search (type=File, dataset=<@id>,
// file_format=fastq, frame=embedded, so each file's replicate comes embedded), which a
// dccd and the ENCODE portal both answer; the reference reads the experiment's embedded
// `files` instead. Not thread-safe beyond what Client is.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dcc/client.h"
#include "dcc/status.h"

namespace dcc {

struct FastqFile {
  std::string id;                    // "@id", e.g. "/files/DCCFF123ABC/"
  std::string name;                  // accession, else uuid
  std::string alias;                 // the first alias, "" if none
  int biological_replicate = 0;      // 0: the file has no replicate
  int technical_replicate = 0;
  int read = 1;                      // paired_end "2" gives 2; "1", "1,2" or absent give 1
  std::string status;
  std::string content_error_detail;  // set when status is "content error"
};

// The FASTQ files of an experiment (any identifier), sorted by biological replicate,
// technical replicate, read and name. NotFound if the experiment does not exist; an
// experiment without FASTQs gives an empty list.
Result<std::vector<FastqFile>> FastqsOfExperiment(Client& client, const std::string& experiment_id);

struct ControlledBy {
  std::string file;                     // "@id" of the experiment's FASTQ
  std::vector<std::string> controls;    // "@id"s of its control FASTQs, in order
};

// eu_add_controlled_by's pairing, computed without writing anything. The biological
// replicate numbers of the experiment and of each control, each sorted ascending, are
// matched by position (numbering need not start at 1 or be contiguous). Each FASTQ of
// the experiment's n-th biological replicate is controlled by every FASTQ of the same read
// (1 forward, 2 reverse) in the n-th biological replicate of every control, all their
// technical replicates included. InvalidArgument, naming the counts, when there are no
// controls, when the controls differ in their number of biological replicates, when that
// number differs from the experiment's, when a FASTQ has no replicate, or when a
// control replicate has no FASTQ of the read an experiment FASTQ needs.
Result<std::vector<ControlledBy>> PlanControlledBy(const std::vector<FastqFile>& experiment,
                                                   const std::vector<std::vector<FastqFile>>& controls,
                                                   const std::vector<std::string>& control_names);

}  // namespace dcc
