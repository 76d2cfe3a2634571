// src/server/store/sqlite_db.h: a thin RAII layer over the SQLite C API, with a
// per-connection cache of prepared statements. Internal to the store.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "dcc/status.h"

namespace dcc::server::sqlite {

// A prepared statement, reset and cleared of bindings when a Use() ends.
class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  void Bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
  void BindNull(int i) { sqlite3_bind_null(s_, i); }
  // SQLITE_ROW -> true, SQLITE_DONE -> false, else error.
  Result<bool> Step();
  std::string Text(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p ? std::string(p, sqlite3_column_bytes(s_, col)) : std::string();
  }
  int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  sqlite3* db() const { return sqlite3_db_handle(s_); }

 private:
  sqlite3_stmt* s_;
};

// Resets a cached statement when the scope ends.
class StmtUse {
 public:
  explicit StmtUse(Stmt* s) : s_(s) {}
  ~StmtUse() { s_->Reset(); }
  Stmt* operator->() { return s_; }
  Stmt& operator*() { return *s_; }

 private:
  Stmt* s_;
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool writer);
  ~Connection();
  Status Exec(const std::string& sql);
  // A cached prepared statement for `sql` (the text is the cache key).
  Result<Stmt*> Prepare(const std::string& sql);
  // An uncached statement, for SQL built per request.
  Result<std::unique_ptr<Stmt>> PrepareOnce(const std::string& sql);
  sqlite3* raw() { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
};

Status Error(sqlite3* db, std::string_view what);

}  // namespace dcc::server::sqlite
