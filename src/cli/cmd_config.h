// src/cli/cmd_config.h: `dcc config show`.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>

namespace dcc::cli {

struct ConfigCommandOptions {
  bool explain = false;
};

void AddConfigCommand(CLI::App& app, ConfigCommandOptions& options);
int RunConfigShow(const ConfigCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace dcc::cli
