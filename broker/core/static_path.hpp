#pragma once
// Maps the path of an HTTP request onto a file under the dashboard's folder,
// and refuses every path that could name anything else. Pure logic over the
// file system: no sockets. Any thread.
//
// The path is percent-decoded exactly once and split into segments. A
// segment that is empty (`//`), `.` or `..`, or that holds a `/` or `\`
// (raw or encoded), a NUL or another control character is refused rather than
// normalised: a legitimate page never asks for one. The file that is finally
// served is the canonical path (symlinks resolved) and must lie under the
// canonical root, so a symlink inside the folder cannot point out of it.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard {

// The segments of `url_path` (no query), decoded; nothing when the path is
// refused. "/" and a path ending in "/" end with an "index.html" segment.
std::optional<std::vector<std::string>> static_path_segments(std::string_view url_path);

// The canonical path of the regular file `url_path` names under `root`, or
// nothing: refused path, no such file, not a regular file, or a file whose
// canonical path is outside the canonical `root`.
std::optional<std::filesystem::path> resolve_static_file(const std::filesystem::path& root,
                                                         std::string_view url_path);

// Whether `path` is `root` or lies under it, component by component. Both
// must already be canonical.
bool is_within(const std::filesystem::path& root, const std::filesystem::path& path);

}  // namespace switchboard
