// tests/conformance/blob_store_conformance.h: the one suite every BlobStore passes
// unchanged. An implementation's test only instantiates it with a factory:
//
//   INSTANTIATE_TEST_SUITE_P(Local, BlobStoreConformance, ::testing::Values(factory));
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>

#include "server/blob/blob_store.h"

namespace dcc::server {

// Makes a fresh, empty store whose state lives under `dir` (a new temp directory).
using BlobStoreFactory =
    std::function<std::unique_ptr<BlobStore>(const std::filesystem::path& dir)>;

class BlobStoreConformance : public ::testing::TestWithParam<BlobStoreFactory> {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Reopens the store on the same directory, as after a restart.
  void Reopen();
  std::filesystem::path dir_;
  std::unique_ptr<BlobStore> store_;
};

}  // namespace dcc::server
