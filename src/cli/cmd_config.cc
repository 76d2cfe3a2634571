#include "cli/cmd_config.h"

#include "cli/exit_codes.h"
#include "dcc/config.h"

namespace dcc::cli {
namespace {

const char* kHelp = R"(Show the configuration dcc uses, merged from every layer, secrets redacted.

Layers, later winning, objects merged key by key:
  /etc/dcc/config.json < ~/.config/dcc/config.json < each file of DCC_CONFIG_FILE
  (colon-separated) < DCC_MODE, DCC_API_KEY, DCC_SECRET_KEY, DCC_LAB, DCC_AWARD < flags

Example:
  $ cat ~/.config/dcc/config.json
  {"mode": "prod", "servers": {"prod": {"url": "https://portal.example.org"}}, "lab": "my-lab"}
  $ DCC_LAB=other-lab dcc config show --explain
  /lab            other-lab                   env DCC_LAB
  /mode           prod                        /root/.config/dcc/config.json
  /servers/prod/url  https://portal.example.org  /root/.config/dcc/config.json

Unlike the reference client, DCC_LAB and DCC_AWARD really are defaults for submissions.

EXIT STATUS
  0  shown
  2  a config file is malformed (the message says file:line:col) or bad flags
  3  a file named in DCC_CONFIG_FILE does not exist

)";

}  // namespace

void AddConfigCommand(CLI::App& app, ConfigCommandOptions& o) {
  auto* config = app.add_subcommand("config", "inspect the layered configuration");
  config->require_subcommand(1);
  auto* show = config->add_subcommand("show", "the merged configuration, secrets redacted");
  show->footer(kHelp);
  show->add_flag("--explain", o.explain, "one line per setting, with the layer that set it");
}

int RunConfigShow(const ConfigCommandOptions& o, std::ostream& out, std::ostream& err) {
  auto config = Config::Load(ConfigSources::FromEnvironment());
  if (!config.ok()) {
    err << "dcc config: " << config.status().ToString() << "\n";
    return config.status().code() == Status::Code::kNotFound ? kExitNotFound : kExitUsage;
  }
  if (!o.explain) {
    out << config->Redacted().dump(2) << "\n";
    return kExitOk;
  }
  const nlohmann::json redacted = config->Redacted();
  for (const auto& [pointer, origin] : config->Explain()) {
    const nlohmann::json& v = redacted.at(nlohmann::json::json_pointer(pointer));
    out << pointer << '\t' << (v.is_string() ? v.get<std::string>() : v.dump()) << '\t' << origin << '\n';
  }
  return kExitOk;
}

}  // namespace dcc::cli
