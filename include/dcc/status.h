// include/dcc/status.h
//
// dcc::Status is the one error type of dcc, on the server and in the client library.
// It is OK, or a Code plus a message (what failed and why) and a `where` (a JSON path
// such as "/aliases/0", or a file position such as "bio.tsv:12:4"). An OK Status holds
// no allocation. Build a failing Status only through the named factories.
//
// Result<T> is a value or a failing Status; it replaces out-parameters.
//
// Thread-safety: a Status or Result is a value; distinct objects may be used from
// distinct threads without synchronisation.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace dcc {

class [[nodiscard]] Status {
 public:
  // The failure classes. Each dialect maps them to its own status codes and bodies;
  // the server's HTTP mapping is in src/server/http/status_map.cc.
  enum class Code {
    kOk = 0,
    kInvalidArgument,   // malformed input: bad JSON, bad query parameter (HTTP 400)
    kValidation,        // well-formed input that breaks a schema or a rule (HTTP 422)
    kNotFound,          // no such record, type or route (HTTP 404)
    kMethodNotAllowed,  // the resource exists but not this operation on it (HTTP 405)
    kConflict,          // a unique key is taken, or a stale revision (HTTP 409)
    kUnauthenticated,   // credentials missing or wrong (HTTP 401)
    kPermissionDenied,  // a known principal may not do this (HTTP 403)
    kTooLarge,          // body or value over a limit (HTTP 413)
    kChecksumMismatch,  // bytes differ from a declared digest (HTTP 422 / 400 BadDigest)
    kPreconditionFailed,// If-Match did not match (HTTP 412)
    kIOError,           // disk, network or database failure (HTTP 500)
    kUnavailable,       // try again later (HTTP 503)
    kInternal,          // a bug (HTTP 500)
  };

  Status() = default;  // OK
  Status(const Status& other) : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg, std::string where = {}) {
    return Status(Code::kInvalidArgument, std::move(msg), std::move(where));
  }
  static Status Validation(std::string msg, std::string where = {}) {
    return Status(Code::kValidation, std::move(msg), std::move(where));
  }
  static Status NotFound(std::string msg, std::string where = {}) {
    return Status(Code::kNotFound, std::move(msg), std::move(where));
  }
  static Status MethodNotAllowed(std::string msg) {
    return Status(Code::kMethodNotAllowed, std::move(msg), {});
  }
  static Status Conflict(std::string msg, std::string where = {}) {
    return Status(Code::kConflict, std::move(msg), std::move(where));
  }
  static Status Unauthenticated(std::string msg) {
    return Status(Code::kUnauthenticated, std::move(msg), {});
  }
  static Status PermissionDenied(std::string msg, std::string where = {}) {
    return Status(Code::kPermissionDenied, std::move(msg), std::move(where));
  }
  static Status TooLarge(std::string msg, std::string where = {}) {
    return Status(Code::kTooLarge, std::move(msg), std::move(where));
  }
  static Status ChecksumMismatch(std::string msg, std::string where = {}) {
    return Status(Code::kChecksumMismatch, std::move(msg), std::move(where));
  }
  static Status PreconditionFailed(std::string msg) {
    return Status(Code::kPreconditionFailed, std::move(msg), {});
  }
  static Status IOError(std::string msg, std::string where = {}) {
    return Status(Code::kIOError, std::move(msg), std::move(where));
  }
  static Status Unavailable(std::string msg) {
    return Status(Code::kUnavailable, std::move(msg), {});
  }
  static Status Internal(std::string msg) { return Status(Code::kInternal, std::move(msg), {}); }

  bool ok() const { return rep_ == nullptr; }
  Code code() const { return rep_ ? rep_->code : Code::kOk; }
  // What failed and why, e.g. "'lab:x' not found". Empty when OK.
  const std::string& message() const { return rep_ ? rep_->message : Empty(); }
  // Where it failed: a JSON pointer or file:line:col. May be empty.
  const std::string& where() const { return rep_ ? rep_->where : Empty(); }
  // Several located failures reported together (every schema error of a record, every
  // bad cell of a TSV). A Status with details still has one code and a summary message.
  struct Detail {
    std::string where;    // JSON pointer or file:line:col
    std::string message;  // what is wrong there
  };
  Status WithDetails(std::vector<Detail> details) && {
    if (rep_) rep_->details = std::move(details);
    return std::move(*this);
  }
  const std::vector<Detail>& details() const {
    static const std::vector<Detail> none;
    return rep_ ? rep_->details : none;
  }
  // "where: message", or "OK".
  std::string ToString() const {
    if (ok()) return "OK";
    return where().empty() ? message() : where() + ": " + message();
  }

 private:
  struct Rep {
    Code code;
    std::string message;
    std::string where;
    std::vector<Detail> details;
  };
  Status(Code code, std::string msg, std::string where)
      : rep_(std::make_unique<Rep>(Rep{code, std::move(msg), std::move(where), {}})) {}
  static const std::string& Empty() {
    static const std::string empty;
    return empty;
  }
  std::unique_ptr<Rep> rep_;
};

// A value of T, or a failing Status. REQUIRES: the Status given is not OK.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                 // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}          // NOLINT: implicit by design
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status ok_status;
    return ok() ? ok_status : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace dcc

// Returns early from the enclosing function when `expr` is a failing Status.
#define DCC_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::dcc::Status dcc_status_ = (expr);        \
    if (!dcc_status_.ok()) return dcc_status_; \
  } while (0)

#define DCC_CONCAT_INNER_(a, b) a##b
#define DCC_CONCAT_(a, b) DCC_CONCAT_INNER_(a, b)
// Declares `lhs` from a Result, or returns its Status early.
#define DCC_ASSIGN_OR_RETURN(lhs, expr)                              \
  auto DCC_CONCAT_(dcc_result_, __LINE__) = (expr);                  \
  if (!DCC_CONCAT_(dcc_result_, __LINE__).ok())                      \
    return DCC_CONCAT_(dcc_result_, __LINE__).status();              \
  lhs = std::move(DCC_CONCAT_(dcc_result_, __LINE__)).value()
