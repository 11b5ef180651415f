#include "gateway/log/story_format.h"

#include <cstdarg>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

namespace iwmo::log {
namespace {

// printf into a string (the text form is built, then written by the command).
class Printer {
 public:
  __attribute__((format(printf, 2, 3))) void operator()(const char* format, ...) {
    va_list args;
    va_start(args, format);
    va_list copy;
    va_copy(copy, args);
    const int size = std::vsnprintf(nullptr, 0, format, copy);
    va_end(copy);
    if (size > 0) {
      const std::size_t at = text_.size();
      text_.resize(at + static_cast<std::size_t>(size) + 1);
      std::vsnprintf(text_.data() + at, static_cast<std::size_t>(size) + 1, format, args);
      text_.resize(at + static_cast<std::size_t>(size));
    }
    va_end(args);
  }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

}  // namespace

std::string outboxStateName(journal::OutboxState state) {
  switch (state) {
    case journal::OutboxState::kPending: return "pending";
    case journal::OutboxState::kDelivered: return "delivered";
    case journal::OutboxState::kFailed: return "failed";
  }
  return "?";
}

std::string storyJson(const journal::MessageStory& story, const TextCleaner& clean) {
  const journal::MessageRecord& m = story.message;
  const proto::Envelope& envelope = m.envelope;
  const proto::MessageSummary& summary = envelope.summary();
  const auto cleanAll = [&](const auto& texts) {
    std::vector<std::string> out;
    for (const auto& text : texts) out.push_back(clean(text));
    return out;
  };
  nlohmann::ordered_json out;
  out["message_id"] = m.id;
  out["received_at"] = m.received_at.toIso8601();
  out["from"] = m.peer;
  out["source"] = m.source;
  out["sha256"] = m.sha256;
  out["size"] = m.size;
  out["message_type"] = m.message_type;
  out["identificatie"] = summary.routing().own_identificatie();
  out["sender"] = summary.routing().physical_sender();
  out["receiver"] = summary.routing().physical_receiver();
  if (const proto::GgkEnvelopeInfo& ggk = envelope.ggk(); !ggk.kind().empty()) {
    out["envelope"] = {{"kind", ggk.kind()},
                       {"referentienummer", ggk.referentienummer()},
                       {"cross_refnummer", ggk.cross_refnummer()},
                       {"zender", ggk.zender_organisatie()},
                       {"ontvanger", ggk.ontvanger_organisatie()},
                       {"functie", ggk.functie()}};
  }
  out["valid"] = envelope.verdict().valid();
  out["level"] = envelope.verdict().level();
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (const auto& f : envelope.verdict().findings()) {
    findings.push_back({{"line", f.line()}, {"column", f.column()}, {"path", f.path()},
                        {"code", f.code()}, {"retourcode", f.retourcode()}, {"message", clean(f.message())}});
  }
  out["findings"] = findings;
  out["state"] = m.state;
  out["disposition"] = m.disposition;
  if (!m.unreadable.empty()) out["unreadable"] = m.unreadable;
  if (story.quarantine) {
    out["quarantine"] = {{"at", story.quarantine->at.toIso8601()},
                         {"reason", story.quarantine->reason},
                         {"state", story.quarantine->open ? "open" : "closed"},
                         {"note", story.quarantine->note}};
  }
  if (m.duplicate_of != 0) {
    out["duplicate_of"] = m.duplicate_of;
    out["duplicate_reason"] = m.duplicate_reason;
  }
  nlohmann::ordered_json decisions = nlohmann::ordered_json::array();
  for (const auto& d : story.decisions) {
    decisions.push_back({{"at", d.at.toIso8601()}, {"worker", d.worker}, {"handler", d.decision.handler()},
                         {"outcome", d.decision.outcome()},
                         {"rule_ids", std::vector<std::string>(d.decision.rule_ids().begin(), d.decision.rule_ids().end())},
                         {"summary", clean(d.decision.summary())},
                         {"trail", cleanAll(d.decision.trail())}});
  }
  out["decisions"] = decisions;
  nlohmann::ordered_json outgoing = nlohmann::ordered_json::array();
  for (const auto& [item, attempts] : story.outgoing) {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (const auto& attempt : attempts) {
      a.push_back({{"at", attempt.at.toIso8601()}, {"ok", attempt.ok}, {"detail", attempt.detail}});
    }
    outgoing.push_back({{"peer", item.peer}, {"file_name", item.file_name}, {"message_type", item.message_type},
                        {"receiver", item.receiver}, {"state", outboxStateName(item.state)}, {"attempts", a}});
  }
  out["outgoing"] = outgoing;
  out["duplicates"] = story.duplicates;
  return out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string storyText(const journal::MessageStory& story, const TextCleaner& clean) {
  const journal::MessageRecord& m = story.message;
  const proto::Envelope& envelope = m.envelope;
  const proto::MessageSummary& summary = envelope.summary();
  Printer print;
  print("message #%llu  %s\n", static_cast<unsigned long long>(m.id),
              m.message_type.empty() ? "(type not recognised)" : m.message_type.c_str());
  print("  received   %s from %s\n", m.received_at.toIso8601().c_str(), m.peer.c_str());
  print("  source     %s\n", m.source.c_str());
  print("  content    %llu bytes, SHA-256 %s\n", static_cast<unsigned long long>(m.size), m.sha256.c_str());
  if (!summary.routing().own_identificatie().empty()) {
    print("  header     Identificatie %s, sender %s, receiver %s, gemeente %s\n",
                summary.routing().own_identificatie().c_str(), summary.routing().physical_sender().c_str(),
                summary.routing().physical_receiver().c_str(), summary.routing().gemeente().c_str());
  }
  if (const proto::GgkEnvelopeInfo& ggk = envelope.ggk(); !ggk.kind().empty()) {
    print("  envelope   %s %s from %s to %s%s (%llu bytes)\n", ggk.kind().c_str(), ggk.referentienummer().c_str(),
                ggk.zender_organisatie().c_str(), ggk.ontvanger_organisatie().c_str(),
                ggk.cross_refnummer().empty() ? "" : (", crossRefnummer " + ggk.cross_refnummer()).c_str(),
                static_cast<unsigned long long>(ggk.envelope_size()));
    if (ggk.kind() == "Fo01") {
      print("  Fo01       %s (%s): %s\n", ggk.fo01_code().c_str(), ggk.fo01_plek().c_str(),
                  ggk.fo01_omschrijving().c_str());
    }
  }
  if (!m.unreadable.empty()) {
    print("  record     UNREADABLE: %s\n", m.unreadable.c_str());
  } else if (envelope.verdict().valid()) {
    print("  verdict    valid (levels 1 and 2)\n");
  } else {
    print("  verdict    INVALID at level %u\n", envelope.verdict().level());
    for (const auto& f : envelope.verdict().findings()) {
      print("             %u:%u %s%s %s\n               %s\n", f.line(), f.column(), f.code().c_str(),
                  f.retourcode().empty() ? "" : (" [" + f.retourcode() + "]").c_str(), f.path().c_str(),
                  clean(f.message()).c_str());
    }
  }
  if (m.duplicate_of != 0) {
    print("  duplicate  of #%llu: %s\n", static_cast<unsigned long long>(m.duplicate_of), m.duplicate_reason.c_str());
  }
  print("  state      %s%s\n", m.state.c_str(), m.disposition.empty() ? "" : (", " + m.disposition).c_str());
  if (story.quarantine) {
    print("  quarantine %s %s: %s%s\n", story.quarantine->at.toIso8601().c_str(),
                story.quarantine->open ? "open" : "closed", story.quarantine->reason.c_str(),
                story.quarantine->note.empty() ? "" : ("; note: " + story.quarantine->note).c_str());
  }
  for (const auto& d : story.decisions) {
    std::string rules;
    for (const auto& r : d.decision.rule_ids()) rules += (rules.empty() ? "" : ", ") + r;
    print("  decision   %s  %s: %s [%s] (worker %s)\n", d.at.toIso8601().c_str(), d.decision.handler().c_str(),
                d.decision.outcome().c_str(), rules.c_str(), d.worker.c_str());
    print("             %s\n", clean(d.decision.summary()).c_str());
    for (const auto& step : d.decision.trail()) print("               - %s\n", clean(step).c_str());
  }
  for (const auto& [item, attempts] : story.outgoing) {
    print("  emitted    %s/%s (%s%s) %s\n", item.peer.c_str(), item.file_name.c_str(),
                item.message_type.c_str(), item.receiver.empty() ? "" : (" for " + item.receiver).c_str(),
                outboxStateName(item.state).c_str());
    for (const auto& attempt : attempts) {
      print("               %s %s %s\n", attempt.at.toIso8601().c_str(), attempt.ok ? "delivered" : "FAILED",
                  attempt.detail.c_str());
    }
  }
  for (const auto dup : story.duplicates) {
    print("  later      #%llu was a duplicate of this message\n", static_cast<unsigned long long>(dup));
  }
  return print.take();
}

}  // namespace iwmo::log
