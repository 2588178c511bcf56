#pragma once
// The output policy every writer of metasift follows (docs/hardening.md, "Output policy"):
//
// - an output never replaces a file this process read as input, nor a file it already wrote
//   (files are compared by device and inode, so other spellings, hard links and symlinks count;
//   the record is kept once guard_run_files() is on, as the CLI does);
// - only regular files are replaced: a device, FIFO, socket, folder or symlink at the target is
//   refused (the standard output spellings /dev/stdout, /dev/fd/1 go to standard output);
// - a folder reached through a symlink is written through, never replaced;
// - an output folder is replaced only when metasift wrote it: it carries a manifest listing its
//   files and holds nothing else. Temporary folders left by crashed runs are recognised by the
//   dead process id in their name plus that manifest, and removed.
//
// Every refusal is an io_error with one line naming the path and the reason.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace metasift::io {

/// Where a resolved output goes.
struct output_target {
  bool to_stdout = false;      ///< one of the standard output spellings
  std::filesystem::path path;  ///< the file to create or replace (when not to_stdout)
};

/// Applies the file rules of the policy to an output path before anything is written: refuses
/// anything at the path that is not a regular file and, with the run guard on, an input of this
/// process or a file this process already wrote. Throws io_error naming the path.
[[nodiscard]] output_target resolve_output(const std::filesystem::path& path);

/// Turns on (or off) the run guard: from now on this process records every file it reads and
/// writes, and resolve_output refuses to replace any of them. A command-line run is one process,
/// so the CLI turns it on first thing; a library user who reads and rewrites the same file (an
/// editor, a test) leaves it off, or turns it on per job and calls forget_inputs_and_outputs().
void guard_run_files(bool on = true) noexcept;
/// Records that this process reads the file open on `fd` (a regular file only), so that no writer
/// of this process replaces it. Called by every reader (io::read_file, the batch streams).
void note_input_fd(int fd) noexcept;
/// Records that this process wrote `path` (after it was renamed into place).
void note_output(const std::filesystem::path& path) noexcept;
/// Forgets every recorded input and output: for a long-lived process that starts a new job.
void forget_inputs_and_outputs() noexcept;

/// One path named by a setting (e.g. "--out" on the command line, "data" in a review file).
struct named_path {
  std::string setting;
  std::string path;
};

/// Checks a job's paths before anything is read or written, so a refusal leaves no partial
/// output: no output may be one of the inputs, and no two outputs may be the same file (empty
/// paths and "-" are skipped). Throws io_error naming both settings.
void check_paths(const std::vector<named_path>& inputs, const std::vector<named_path>& outputs);

// --- Output folders ----------------------------------------------------------------------------

/// The manifest's file name inside an output folder.
inline constexpr std::string_view manifest_name = ".metasift-manifest";

/// The manifest listing `files` (paths relative to the folder, '/'-separated), sorted: it holds
/// no time or process id, so identical runs write identical manifests.
[[nodiscard]] std::string manifest_text(std::vector<std::string> files);

/// The first entry (in sorted order, relative path) of folder `dir` that its manifest does not list,
/// or nothing when the folder is empty or holds only listed files.
[[nodiscard]] std::optional<std::string> first_foreign_entry(const std::filesystem::path& dir);

/// Resolves an output folder path: a symlink to a folder is followed (so the folder is written
/// through), a lexically trailing "/." or "/" is dropped. Throws io_error for an empty path, a
/// dangling link or a path that exists and is not a folder.
[[nodiscard]] std::filesystem::path resolve_output_folder(const std::filesystem::path& dir);

/// Throws io_error, naming the first foreign file, unless `dir` does not exist, is empty, or holds
/// only what its manifest lists.
void check_replaceable_folder(const std::filesystem::path& dir);

/// A sibling of `dir` named "<name>.<tag>-<pid>" for this process.
[[nodiscard]] std::filesystem::path own_sibling(const std::filesystem::path& dir, std::string_view tag);

/// Removes the siblings "<name>.tmp-<pid>" and "<name>.old-<pid>" of `dir` left by runs that are
/// no longer alive (no process has that id) and that hold only what their manifest lists (an
/// interrupted atomic write's temporary file counts as listed). Returns how many were removed.
std::size_t remove_stale_siblings(const std::filesystem::path& dir);

}  // namespace metasift::io
