// src/server/services/test_crash_points.h: TEST ONLY. Named points inside upload
// completion where dccd kills itself (SIGKILL) when the environment variable
// DCC_TEST_CRASH_AT names that point, so tests can prove that a completion cut short at
// any step is finished at the next start or retried cleanly. Unset (always, outside
// tests), every point does nothing. The variable is read once, by LoadTestCrashPoint at
// start-up; docs/s3_multipart.md lists the points.
#pragma once

namespace dcc::server {

// Reads DCC_TEST_CRASH_AT. Call once at start-up, before serving.
void LoadTestCrashPoint();

// SIGKILLs this process if DCC_TEST_CRASH_AT named `point` at start-up.
void TestCrashPoint(const char* point);

}  // namespace dcc::server
