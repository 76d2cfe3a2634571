#include "server/store/sqlite_db.h"

#include <spdlog/spdlog.h>

namespace dcc::server::sqlite {

// SQLite's own text never reaches a reply: 409 and 503 answer in our words and log the
// detail here; any other failure keeps it in an IOError, which the router logs with the
// request id and answers as a bare 500 (server/http/request_guard.h).
Status Error(sqlite3* db, std::string_view what) {
  int code = sqlite3_extended_errcode(db);
  std::string msg = std::string(what) + ": " + sqlite3_errmsg(db);
  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) {
    spdlog::warn("{}", msg);
    return Status::Unavailable("the database is busy; try again");
  }
  if ((code & 0xff) == SQLITE_CONSTRAINT) {
    spdlog::warn("{}", msg);
    return Status::Conflict("the write conflicts with stored data");
  }
  return Status::IOError(msg);
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error(db(), "sqlite step");
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool writer) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX |
              (writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Status s = Status::IOError(std::string("cannot open database: ") +
                                   (db ? sqlite3_errmsg(db) : "out of memory"),
                               path);
    sqlite3_close(db);
    return s;
  }
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_busy_timeout(db, 10000);
  // WAL: readers never block the writer. synchronous=FULL: a commit is on disk when it
  // returns, which is what "acknowledged only after durable" requires.
  DCC_RETURN_IF_ERROR(conn->Exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;"));
  if (writer) DCC_RETURN_IF_ERROR(conn->Exec("PRAGMA journal_mode=WAL;"));
  return conn;
}

Connection::~Connection() {
  cache_.clear();
  sqlite3_close(db_);
}

Status Connection::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::IOError("sqlite: " + msg);
  }
  return Status::Ok();
}

Result<Stmt*> Connection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second.get();
  DCC_ASSIGN_OR_RETURN(auto stmt, PrepareOnce(sql));
  Stmt* raw = stmt.get();
  cache_.emplace(sql, std::move(stmt));
  return raw;
}

Result<std::unique_ptr<Stmt>> Connection::PrepareOnce(const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) {
    return Error(db_, "sqlite prepare");
  }
  return std::make_unique<Stmt>(s);
}

}  // namespace dcc::server::sqlite
