#include "gateway/cli/validate_command.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "adapters/iwmo/iwmo_adapter.h"
#include "adapters/stuf/envelope_reader.h"
#include "adapters/xml/schema_set.h"
#include "gateway/cli/verdict_report.h"
#include "gateway/cli/wiring.h"
#include "gateway/pipeline/ggk_intake.h"

namespace iwmo::cli {
namespace {

namespace fs = std::filesystem;

constexpr int kExitValid = 0;
constexpr int kExitInvalid = 1;
constexpr int kExitUsageOrIo = 2;

// Expands directories into their *.xml files (recursively, sorted); keeps files and "-" as given.
Result<std::vector<std::string>> expandInputs(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (input != "-" && fs::is_directory(input, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(input, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".xml") {
          found.push_back(it->path().string());
        }
      }
      if (ec) return Status::unavailable("cannot list directory " + input + ": " + ec.message());
      std::sort(found.begin(), found.end());
      if (found.empty()) std::cerr << "iwmo-gateway: note: no *.xml files in " << input << "\n";
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(input);
    }
  }
  return files;
}

// Reads a whole file; stops early (reporting only the size) when it exceeds `max_bytes`.
Status readInput(const std::string& name, std::size_t max_bytes, std::string& bytes,
                 std::uint64_t& size) {
  bytes.clear();
  if (name == "-") {
    bytes.resize(max_bytes + 1);  // at most one byte past the limit
    std::cin.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    bytes.resize(static_cast<std::size_t>(std::cin.gcount()));
    size = bytes.size();
    return Status::ok();
  }
  std::error_code ec;
  if (!fs::exists(name, ec)) return Status::notFound("no such file: " + name);
  if (fs::is_directory(name, ec)) return Status::invalid(name + " is a directory");
  if (!fs::is_regular_file(name, ec)) {
    // A pipe or process substitution: read at most one byte past the limit.
    std::ifstream in(name, std::ios::binary);
    if (!in) return Status::unavailable("cannot open " + name + " (permission denied?)");
    bytes.resize(max_bytes + 1);
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    bytes.resize(static_cast<std::size_t>(in.gcount()));
    size = bytes.size();
    return Status::ok();
  }
  size = fs::file_size(name, ec);
  if (ec) return Status::unavailable("cannot read " + name + ": " + ec.message());
  if (size > max_bytes) return Status::ok();  // refused by size, not read
  std::ifstream in(name, std::ios::binary);
  if (!in) return Status::unavailable("cannot open " + name + " (permission denied?)");
  bytes.resize(static_cast<std::size_t>(size));
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (!in && !in.eof()) return Status::unavailable("error while reading " + name);
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return Status::ok();
}

bool useColour() {
  const char* no_colour = std::getenv("NO_COLOR");
  return isatty(STDOUT_FILENO) == 1 && (no_colour == nullptr || *no_colour == '\0');
}

}  // namespace

int runValidate(const config::Config& config, const ValidateOptions& options) {
  auto files = expandInputs(options.inputs);
  if (!files) {
    std::cerr << "iwmo-gateway: " << files.status().message() << "\n";
    return kExitUsageOrIo;
  }
  auto schemas = adapters::xml::SchemaSet::load(config.schemaDirs());
  if (!schemas) {
    std::cerr << "iwmo-gateway: " << schemas.status().message() << "\n";
    return kExitUsageOrIo;
  }
  const adapters::xml::ParseLimits limits = parseLimits(config);
  auto adapter = adapters::iwmo::IwmoAdapter::create(*schemas, limits, operatorPseudonymiser(config));
  if (!adapter) {
    std::cerr << "iwmo-gateway: " << adapter.status().message() << "\n";
    return kExitUsageOrIo;
  }

  // StUF-GGk envelopes (Di01, Du01, Fo01) are read as the daemon reads them: the envelope against
  // schemas/stuf-ggk, a Di01's or Du01's payload through the adapter above. Loaded at the first.
  std::unique_ptr<adapters::stuf::EnvelopeReader> envelope_reader;
  auto envelopeReader = [&]() -> Result<adapters::stuf::EnvelopeReader*> {
    if (envelope_reader) return envelope_reader.get();
    auto ggk_schemas = adapters::xml::SchemaSet::load(config.ggk_schema_dir);
    if (!ggk_schemas) return ggk_schemas.status();
    adapters::stuf::ReaderLimits reader_limits;
    reader_limits.max_envelope_bytes = config.max_message_bytes;
    reader_limits.max_element_depth = limits.max_element_depth;
    auto reader = adapters::stuf::EnvelopeReader::create(*ggk_schemas, reader_limits);
    if (!reader) return reader.status();
    envelope_reader = std::move(*reader);
    return envelope_reader.get();
  };

  const bool colour = !options.json && useColour();
  int exit_code = kExitValid;
  std::size_t valid = 0;
  std::size_t invalid = 0;
  std::size_t unreadable = 0;
  std::string bytes;
  proto::Envelope envelope;
  for (const std::string& file : *files) {
    std::uint64_t size = 0;
    const Status read = readInput(file, config.max_message_bytes, bytes, size);
    if (!read.isOk()) {
      ++unreadable;
      exit_code = kExitUsageOrIo;
      std::cerr << "iwmo-gateway: " << read.message() << "\n";
      continue;
    }
    const std::string display = file == "-" ? "<stdin>" : file;
    if (size > config.max_message_bytes && bytes.size() <= config.max_message_bytes) {
      (*adapter)->refuseOversize(size, "", display, envelope);
    } else if (pipeline::isGgkDocument(bytes)) {
      auto reader = envelopeReader();
      if (!reader) {
        std::cerr << "iwmo-gateway: " << display << " is a StUF-GGk document, but the envelope schemas cannot be "
                  << "loaded: " << reader.status().message() << "\n";
        return kExitUsageOrIo;
      }
      pipeline::readGgkDocument(**reader, **adapter, bytes, display, envelope);
    } else {
      (*adapter)->validate(bytes, display, envelope);
    }
    if (envelope.verdict().valid()) {
      ++valid;
    } else {
      ++invalid;
      if (exit_code == kExitValid) exit_code = kExitInvalid;
    }
    if (options.json) {
      std::cout << verdictJson(display, envelope) << "\n";
    } else if (!options.quiet || !envelope.verdict().valid()) {
      std::cout << verdictText(display, envelope, colour);
    }
  }
  if (!options.json) {
    std::cout << "\n" << files->size() << (files->size() == 1 ? " file: " : " files: ") << valid
              << " valid, " << invalid << " invalid";
    if (unreadable > 0) std::cout << ", " << unreadable << " unreadable";
    std::cout << " (schemas: " << config.iwmo_schema_dir.string();
    if (!config.ieb_schema_dir.empty()) std::cout << ", " << config.ieb_schema_dir.string();
    if (envelope_reader) std::cout << ", envelopes " << config.ggk_schema_dir.string();
    std::cout << ")\n";
  }
  std::cout.flush();
  return exit_code;
}

}  // namespace iwmo::cli
