#include "common/utf8.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <memory>

namespace dcc {
namespace {

// An empty pattern compiled in UTF mode: matching it runs PCRE2's UTF-8 check over the
// whole subject first, which reports the offset of the first bad sequence.
struct Checker {
  pcre2_code* code = nullptr;
  Checker() {
    int error = 0;
    PCRE2_SIZE offset = 0;
    code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(""), 0, PCRE2_UTF, &error, &offset, nullptr);
  }
  ~Checker() { pcre2_code_free(code); }
};

}  // namespace

std::optional<Utf8Error> FindInvalidUtf8(std::string_view s) {
  // Plain ASCII (most input) needs no check.
  bool ascii = true;
  for (unsigned char c : s) ascii = ascii && c < 0x80;
  if (ascii) return std::nullopt;
  static const Checker checker;
  thread_local std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
      pcre2_match_data_create(1, nullptr), pcre2_match_data_free);
  int rc = pcre2_match(checker.code, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), 0, 0,
                       data.get(), nullptr);
  if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH) return std::nullopt;
  Utf8Error e;
  // After a UTF error, the start of the bad sequence is what pcre2_get_startchar reports.
  e.offset = pcre2_get_startchar(data.get());
  PCRE2_UCHAR message[160];
  if (pcre2_get_error_message(rc, message, sizeof message) > 0) {
    e.reason = reinterpret_cast<const char*>(message);
    if (e.reason.rfind("UTF-8 error: ", 0) == 0) e.reason = e.reason.substr(13);
  } else {
    e.reason = "invalid UTF-8";
  }
  return e;
}

}  // namespace dcc
