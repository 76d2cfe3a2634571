#include "common/ecma_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace dcc {
namespace {

// Bounds on one match. The match limit caps backtracking steps (a few ms of work at
// most for the schemas we load, ~100 ms worst case); the depth limit caps the
// interpreter's backtracking frames (heap, not stack, since PCRE2 10.30); the JIT stack
// caps the JIT's. Hitting any of them is kLimit.
constexpr uint32_t kMatchLimit = 10'000'000;
constexpr uint32_t kDepthLimit = 100'000;
constexpr size_t kJitStackMax = 1 << 20;

// Per-thread match state: PCRE2 match data, a match context with the limits, and a
// JIT stack, reused by every search on this thread.
struct ThreadState {
  pcre2_match_context* context = nullptr;
  pcre2_jit_stack* jit_stack = nullptr;
  pcre2_match_data* data = nullptr;
  ThreadState() {
    context = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(context, kMatchLimit);
    pcre2_set_depth_limit(context, kDepthLimit);
    jit_stack = pcre2_jit_stack_create(32 * 1024, kJitStackMax, nullptr);
    if (jit_stack) pcre2_jit_stack_assign(context, nullptr, jit_stack);
    // One ovector pair is enough: we only ask whether there is a match.
    data = pcre2_match_data_create(1, nullptr);
  }
  ~ThreadState() {
    pcre2_match_data_free(data);
    pcre2_jit_stack_free(jit_stack);
    pcre2_match_context_free(context);
  }
};

ThreadState& State() {
  thread_local ThreadState state;
  return state;
}

}  // namespace

struct EcmaRegex::Code {
  pcre2_code* code = nullptr;
  ~Code() { pcre2_code_free(code); }
};

EcmaRegex::EcmaRegex(std::string pattern, Code* code) : pattern_(std::move(pattern)), code_(code) {}
EcmaRegex::~EcmaRegex() { delete code_; }

std::shared_ptr<const EcmaRegex> EcmaRegex::Compile(std::string_view pattern, std::string* error,
                                                    Anchor anchor) {
  // ECMA-262 differences from Perl that PCRE2 can emulate: `$` only at the very end
  // (no "before a final newline"), `\uXXXX` escapes. `\d`, `\w`, `\s` stay ASCII in
  // ECMA-262 without the u flag, which is PCRE2's default without PCRE2_UCP.
  uint32_t options = PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALT_BSUX;
  if (anchor == Anchor::kWhole) options |= PCRE2_ANCHORED | PCRE2_ENDANCHORED;
  int code_error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                 options, &code_error, &offset, nullptr);
  if (!re) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(code_error, message, sizeof message);
    if (error)
      *error = "invalid regular expression '" + std::string(pattern) + "' at offset " +
               std::to_string(offset) + ": " + reinterpret_cast<const char*>(message);
    return nullptr;
  }
  // JIT where the platform has it; without it the interpreter runs, under the same limits.
  pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
  auto* code = new Code{re};
  return std::shared_ptr<const EcmaRegex>(new EcmaRegex(std::string(pattern), code));
}

std::shared_ptr<const EcmaRegex> EcmaRegex::CompileOrDie(std::string_view pattern, Anchor anchor) {
  std::string error;
  auto re = Compile(pattern, &error, anchor);
  if (!re) {
    std::fprintf(stderr, "EcmaRegex: %s\n", error.c_str());
    std::abort();
  }
  return re;
}

EcmaRegex::Outcome EcmaRegex::Match(std::string_view subject) const {
  ThreadState& state = State();
  int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                       0, state.data, state.context);
  if (rc >= 0) return Outcome::kMatch;
  if (rc == PCRE2_ERROR_NOMATCH) return Outcome::kNoMatch;
  // Match/depth/heap limit, JIT stack exhausted, or a subject that is not UTF-8.
  return Outcome::kLimit;
}

}  // namespace dcc

namespace dcc {

EcmaRegex::Outcome EcmaRegex::Match(std::string_view subject,
                                    std::vector<std::string>* groups) const {
  groups->clear();
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
      pcre2_match_data_create_from_pattern(code_->code, nullptr), pcre2_match_data_free);
  int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                       0, data.get(), State().context);
  if (rc == PCRE2_ERROR_NOMATCH) return Outcome::kNoMatch;
  if (rc < 0) return Outcome::kLimit;
  const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data.get());
  uint32_t pairs = pcre2_get_ovector_count(data.get());
  for (uint32_t i = 0; i < pairs; ++i) {
    if (ov[2 * i] == PCRE2_UNSET) {
      groups->emplace_back();
    } else {
      groups->emplace_back(subject.substr(ov[2 * i], ov[2 * i + 1] - ov[2 * i]));
    }
  }
  return Outcome::kMatch;
}

}  // namespace dcc
