#include "cli/cmd_fastq.h"

#include "cli/exit_codes.h"
#include "cli/helper_io.h"
#include "dcc/experiments.h"

namespace dcc::cli {
using nlohmann::json;

namespace {

const char* kReplicateFastqsHelp = R"(Print an experiment's FASTQ files with their replicate and read numbers (eu_get_replicate_fastq_encffs).

TSV: "BIO_TECH_READ", then the file's accession (READ is 1 for forward reads, 2 for
reverse), sorted by replicate; -b and -t keep one biological / technical replicate.
(The reference prints the alias, and crashes joining the numbers; this prints the
accession, as its documentation says.)

Example:
  $ dcc replicate-fastqs -e lab-a:e1 -b 1
  1_1_1	DCCFF111AAA
  1_1_2	DCCFF222BBB
  1_2_1	DCCFF333CCC

See also: dcc get-replicate-numbers, dcc add-controlled-by.

EXIT STATUS
  0  printed (even if no FASTQ matched)   3  no such experiment   2  bad flags
  4  -o FILE cannot be written   5  credentials refused   6  unreachable   1  other errors
)";

const char* kContentErrorsHelp = R"(Report the FASTQ files of experiments whose upload failed checking (eu_report_fastq_content_errors).

For each experiment (arguments and/or -i FILE, one per line, # lines skipped), every FASTQ
file whose status is "content error" gives one line: the experiment's accession, the
file's accession, and the portal's content_error_detail.

Example:
  $ dcc report-fastq-content-errors DCCSR123ABC
  DCCSR123ABC	DCCFF456DEF	file size 1000 does not match the record's 2000

See also: dcc upload (which prints the same reason when it happens).

EXIT STATUS
  0  reported (even if nothing was wrong)   3  an experiment (or -i FILE) does not exist
  2  bad flags   4  -o FILE cannot be written   5  credentials refused   6  unreachable
)";

const char* kControlledByHelp = R"(Set controlled_by on every FASTQ of an experiment from its possible_controls (eu_add_controlled_by).

Requires the experiment's possible_controls to be set, every control to have the same
number of biological replicates (with FASTQs), and the experiment to have that number
too; technical replicates may vary. The biological replicate numbers of the experiment
and of each control are sorted and matched by position, not by value (numbering does not
always start at 1). Each experiment FASTQ is then controlled by every FASTQ of the same
read (1 forward, 2 reverse) in the matched replicate of every control, all its technical
replicates included. controlled_by is replaced, not extended.

The whole plan is computed before anything is written: if any requirement fails, the
reason is printed and no file changes. --dry-run prints the plan only.

Example:
  $ dcc add-controlled-by -e lab-a:e1
  /files/DCCFF111AAA/	/files/DCCFF900CTL/
  /files/DCCFF222BBB/	/files/DCCFF901CTL/
  2 file(s) patched

See also: dcc replicate-fastqs, dcc register --patch -w.

EXIT STATUS
  0  every FASTQ patched (or would be)   2  a requirement failed (nothing was written)
  3  no such experiment   5  credentials refused   6  unreachable   1  a PATCH was refused
)";

int ReplicateFastqs(Client& client, const FastqCommandOptions& o, std::ostream& out, std::ostream& err) {
  auto files = FastqsOfExperiment(client, o.experiment);
  if (!files.ok()) {
    err << "dcc replicate-fastqs: " << files.status().ToString() << "\n";
    return ExitCodeFor(files.status());
  }
  std::vector<json> rows;
  for (const auto& f : *files) {
    if (o.bio_rep && f.biological_replicate != o.bio_rep) continue;
    if (o.tech_rep && f.technical_replicate != o.tech_rep) continue;
    rows.push_back({{"replicate", std::to_string(f.biological_replicate) + "_" + std::to_string(f.technical_replicate) +
                                      "_" + std::to_string(f.read)},
                    {"file", f.name},
                    {"biological_replicate_number", f.biological_replicate},
                    {"technical_replicate_number", f.technical_replicate},
                    {"read", f.read}});
  }
  PrintRows(out, o.format, {"replicate", "file"}, rows);
  return kExitOk;
}

int ContentErrors(Client& client, const std::vector<std::string>& experiments, const FastqCommandOptions& o,
                  std::ostream& out, std::ostream& err) {
  std::vector<json> rows;
  for (const auto& e : experiments) {
    GetOptions object;
    object.frame = "object";
    auto exp = client.Get({e}, object);
    auto files = exp.ok() ? FastqsOfExperiment(client, exp->value("@id", e)) : Result<std::vector<FastqFile>>(exp.status());
    if (!files.ok()) {
      err << "dcc report-fastq-content-errors: " << e << ": " << files.status().ToString() << "\n";
      return ExitCodeFor(files.status());
    }
    for (const auto& f : *files)
      if (f.status == "content error")
        rows.push_back({{"experiment", exp->value("accession", exp->value("uuid", e))},
                        {"file", f.name},
                        {"content_error_detail", f.content_error_detail}});
  }
  PrintRows(out, o.format, {"experiment", "file", "content_error_detail"}, rows);
  return kExitOk;
}

int AddControlledBy(Client& client, const FastqCommandOptions& o, std::ostream& out, std::ostream& err) {
  const std::string cmd = "dcc add-controlled-by: ";
  GetOptions object;
  object.frame = "object";
  auto exp = client.Get({o.experiment}, object);
  if (!exp.ok()) {
    err << cmd << exp.status().ToString() << "\n";
    return ExitCodeFor(exp.status());
  }
  auto files = FastqsOfExperiment(client, exp->value("@id", o.experiment));
  if (!files.ok()) {
    err << cmd << files.status().ToString() << "\n";
    return ExitCodeFor(files.status());
  }
  std::vector<std::vector<FastqFile>> controls;
  std::vector<std::string> names;
  for (const auto& c : exp->value("possible_controls", json::array())) {
    names.push_back(c.get<std::string>());
    auto cf = FastqsOfExperiment(client, names.back());
    if (!cf.ok()) {
      err << cmd << "control " << names.back() << ": " << cf.status().ToString() << "\n";
      return ExitCodeFor(cf.status());
    }
    controls.push_back(std::move(*cf));
  }
  auto plan = PlanControlledBy(*files, controls, names);
  if (!plan.ok()) {
    err << cmd << plan.status().ToString() << "; nothing was written\n";
    return kExitUsage;
  }
  WriteOptions w;
  w.dry_run = o.dry_run;
  w.extend_arrays = false;  // replaced, as the reference does
  int patched = 0;
  for (const auto& p : *plan) {
    out << p.file;
    for (const auto& c : p.controls) out << "\t" << c;
    out << "\n";
    if (o.dry_run) continue;
    auto written = client.Patch({{"_enc_id", p.file}, {"controlled_by", p.controls}}, w);
    if (!written.ok()) {
      err << cmd << p.file << ": " << written.status().ToString() << "\n";
      return kExitFailed;
    }
    ++patched;
  }
  out << (o.dry_run ? std::to_string(plan->size()) + " file(s) would be patched (dry run: nothing was sent)"
                    : std::to_string(patched) + " file(s) patched")
      << "\n";
  return kExitOk;
}

}  // namespace

void AddFastqCommands(CLI::App& app, FastqCommandOptions& o) {
  auto* r = app.add_subcommand("replicate-fastqs", "print an experiment's FASTQs by replicate and read");
  r->footer(kReplicateFastqsHelp);
  r->add_option("-e,--exp-id", o.experiment, "the experiment")->required();
  r->add_option("-b,--bio-rep-num", o.bio_rep, "only this biological replicate")->check(CLI::PositiveNumber);
  r->add_option("-t,--tech-rep-num", o.tech_rep, "only this technical replicate")->check(CLI::PositiveNumber);
  r->add_option("-o,--outfile", o.outfile, "write here instead of stdout");
  r->add_option("--format", o.format, "tsv or json")->check(CLI::IsMember({"tsv", "json"}))->capture_default_str();

  auto* e = app.add_subcommand("report-fastq-content-errors", "list experiments' FASTQs with a content error");
  e->footer(kContentErrorsHelp);
  e->add_option("ID", o.ids, "experiments (or use -i)");
  e->add_option("-i,--infile", o.infile, "a file of experiment identifiers, one per line");
  e->add_option("-o,--outfile", o.outfile, "write here instead of stdout");
  e->add_option("--format", o.format, "tsv or json")->check(CLI::IsMember({"tsv", "json"}))->capture_default_str();

  auto* c = app.add_subcommand("add-controlled-by", "set controlled_by on an experiment's FASTQs from its controls");
  c->footer(kControlledByHelp);
  c->add_option("-e,--exp-id", o.experiment, "the experiment (not a control)")->required();
  c->add_flag("-d,--dry-run", o.dry_run, "print the plan; patch nothing");
}

std::optional<int> RunFastqCommands(const CLI::App& app, const ConnectionFlags& connection,
                                    const FastqCommandOptions& o, std::ostream& out, std::ostream& err) {
  std::string command;
  for (const char* name : {"replicate-fastqs", "report-fastq-content-errors", "add-controlled-by"})
    if (app.got_subcommand(name)) command = name;
  if (command.empty()) return std::nullopt;
  HelperSetup setup =
      SetUpHelper(command, connection, o.infile, o.ids, command == "report-fastq-content-errors", err);
  if (setup.rc != kExitOk) return setup.rc;
  Client& client = *setup.connection.client;
  if (command == "add-controlled-by") return AddControlledBy(client, o, out, err);
  return WithOutput(o.outfile, out, err, command, [&](std::ostream& sink) {
    return command == "replicate-fastqs" ? ReplicateFastqs(client, o, sink, err)
                                         : ContentErrors(client, setup.ids, o, sink, err);
  });
}

}  // namespace dcc::cli
