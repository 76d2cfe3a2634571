#include "dcc/experiments.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "common/sigv4.h"

namespace dcc {
using nlohmann::json;

namespace {

int IntOf(const json& v) { return v.is_number_integer() ? v.get<int>() : 0; }

FastqFile FastqOf(const json& f) {
  FastqFile q;
  q.id = f.value("@id", "");
  q.name = f.value("accession", f.value("uuid", ""));
  if (f.contains("aliases") && f["aliases"].is_array() && !f["aliases"].empty()) q.alias = f["aliases"][0].get<std::string>();
  if (f.contains("replicate") && f["replicate"].is_object()) {
    q.biological_replicate = IntOf(f["replicate"].value("biological_replicate_number", json()));
    q.technical_replicate = IntOf(f["replicate"].value("technical_replicate_number", json()));
  }
  q.read = f.value("paired_end", "") == "2" ? 2 : 1;
  q.status = f.value("status", "");
  q.content_error_detail = f.value("content_error_detail", "");
  return q;
}

// Biological replicate number -> its FASTQs.
std::map<int, std::vector<const FastqFile*>> ByBiologicalReplicate(const std::vector<FastqFile>& files) {
  std::map<int, std::vector<const FastqFile*>> m;
  for (const auto& f : files) m[f.biological_replicate].push_back(&f);
  return m;
}

}  // namespace

Result<std::vector<FastqFile>> FastqsOfExperiment(Client& client, const std::string& experiment_id) {
  GetOptions object;
  object.frame = "object";
  DCC_ASSIGN_OR_RETURN(json exp, client.Get({experiment_id}, object));
  const std::string at_id = exp.value("@id", "");
  if (at_id.empty()) return Status::InvalidArgument("'" + experiment_id + "' has no @id: is it a record?");
  DCC_ASSIGN_OR_RETURN(std::vector<json> found,
                       client.SearchQuery("type=File&file_format=fastq&frame=embedded&dataset=" +
                                          sigv4::UriEncode(at_id, false)));
  std::vector<FastqFile> files;
  for (const auto& f : found) files.push_back(FastqOf(f));
  std::sort(files.begin(), files.end(), [](const FastqFile& a, const FastqFile& b) {
    return std::tie(a.biological_replicate, a.technical_replicate, a.read, a.name) <
           std::tie(b.biological_replicate, b.technical_replicate, b.read, b.name);
  });
  return files;
}

Result<std::vector<ControlledBy>> PlanControlledBy(const std::vector<FastqFile>& experiment,
                                                   const std::vector<std::vector<FastqFile>>& controls,
                                                   const std::vector<std::string>& control_names) {
  if (controls.empty()) return Status::InvalidArgument("the experiment has no possible_controls");
  for (const auto& f : experiment)
    if (f.biological_replicate == 0) return Status::InvalidArgument("FASTQ " + f.name + " has no replicate");
  const auto exp_reps = ByBiologicalReplicate(experiment);
  std::vector<std::map<int, std::vector<const FastqFile*>>> control_reps;
  std::set<size_t> counts;
  for (size_t i = 0; i < controls.size(); ++i) {
    for (const auto& f : controls[i])
      if (f.biological_replicate == 0)
        return Status::InvalidArgument("control FASTQ " + f.name + " (of " + control_names[i] + ") has no replicate");
    control_reps.push_back(ByBiologicalReplicate(controls[i]));
    counts.insert(control_reps.back().size());
  }
  if (counts.size() != 1) {
    std::string list;
    for (size_t i = 0; i < controls.size(); ++i)
      list += (list.empty() ? "" : ", ") + control_names[i] + ": " + std::to_string(control_reps[i].size());
    return Status::InvalidArgument("the controls have different numbers of biological replicates (" + list + ")");
  }
  if (*counts.begin() != exp_reps.size())
    return Status::InvalidArgument("the experiment has " + std::to_string(exp_reps.size()) +
                                   " biological replicate(s) with FASTQs but each control has " +
                                   std::to_string(*counts.begin()));
  std::vector<ControlledBy> plan;
  size_t position = 0;
  for (const auto& [bio, files] : exp_reps) {
    for (const FastqFile* f : files) {
      ControlledBy c{f->id, {}};
      for (size_t i = 0; i < control_reps.size(); ++i) {
        auto it = std::next(control_reps[i].begin(), static_cast<long>(position));
        size_t before = c.controls.size();
        for (const FastqFile* cf : it->second)
          if (cf->read == f->read) c.controls.push_back(cf->id);
        if (c.controls.size() == before)
          return Status::InvalidArgument("control " + control_names[i] + " biological replicate " +
                                         std::to_string(it->first) + " has no read " + std::to_string(f->read) +
                                         " FASTQ for " + f->name);
      }
      plan.push_back(std::move(c));
    }
    ++position;
  }
  return plan;
}

}  // namespace dcc
