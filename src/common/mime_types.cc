#include "common/mime_types.h"

#include <algorithm>
#include <map>

namespace dcc {

std::string MimeOfFilename(const std::string& filename) {
  static const std::map<std::string, std::string> kByExtension = {
      {"pdf", "application/pdf"}, {"json", "application/json"}, {"gif", "image/gif"},
      {"jpg", "image/jpeg"},      {"jpeg", "image/jpeg"},       {"png", "image/png"},
      {"svs", "image/svs"},       {"tif", "image/tiff"},        {"tiff", "image/tiff"},
      {"as", "text/autosql"},     {"html", "text/html"},        {"htm", "text/html"},
      {"txt", "text/plain"},      {"log", "text/plain"},        {"tsv", "text/tab-separated-values"},
      {"gz", "application/gzip"}, {"csv", "text/csv"}};
  auto dot = filename.rfind('.');
  if (dot == std::string::npos) return "";
  std::string ext = filename.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto it = kByExtension.find(ext);
  return it == kByExtension.end() ? "" : it->second;
}

}  // namespace dcc
