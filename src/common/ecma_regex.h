// src/common/ecma_regex.h
//
// EcmaRegex is a compiled regular expression with JSON Schema `pattern` semantics
// (ECMA-262, unanchored search), backed by PCRE2 with JIT where the platform has it.
// It replaces std::regex, whose recursive matcher overflows the thread stack on long
// input (issue 9, item 1). Every search is bounded by a match limit and a depth limit,
// so a pathological pattern or subject ends with kLimit instead of a crash or a hang.
//
// Thread-safety: a compiled EcmaRegex is immutable and may be shared by any number of
// threads; each Search uses thread-local match data.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dcc {

class EcmaRegex {
 public:
  enum class Outcome { kMatch, kNoMatch, kLimit };
  // kSearch: JSON Schema `pattern`, found anywhere in the subject (std::regex_search).
  // kWhole: the whole subject must match (std::regex_match).
  enum class Anchor { kSearch, kWhole };

  // Compiles `pattern` once (UTF-8, ECMA-style `$` and `\uXXXX`). Returns nullptr and
  // sets *error (what is wrong and at which offset) if PCRE2 cannot compile it.
  static std::shared_ptr<const EcmaRegex> Compile(std::string_view pattern, std::string* error,
                                                  Anchor anchor = Anchor::kSearch);

  // Compiles a pattern written in the source; aborts if it does not compile (a bug).
  static std::shared_ptr<const EcmaRegex> CompileOrDie(std::string_view pattern,
                                                       Anchor anchor = Anchor::kSearch);

  ~EcmaRegex();
  EcmaRegex(const EcmaRegex&) = delete;
  EcmaRegex& operator=(const EcmaRegex&) = delete;

  // Runs the pattern on `subject`, which must be valid UTF-8 (JSON strings are).
  // kLimit when the match or depth limit was hit or the subject is not UTF-8: the
  // caller answers that as bad input, never as a match.
  Outcome Match(std::string_view subject) const;

  // Match() with the capture groups: groups[0] is the whole match, groups[i] group i
  // ("" where a group took no part). Empty vector unless kMatch.
  Outcome Match(std::string_view subject, std::vector<std::string>* groups) const;

  // Match() == kMatch (a limit counts as no match).
  bool Matches(std::string_view subject) const { return Match(subject) == Outcome::kMatch; }

  const std::string& pattern() const { return pattern_; }

 private:
  struct Code;
  EcmaRegex(std::string pattern, Code* code);

  std::string pattern_;
  Code* code_;
};

}  // namespace dcc
