// The story of one journaled message for operators (`iwmo-gateway explain`): what came in, the
// verdict with every finding, the envelope, the decisions with their trails, what was emitted and
// each delivery attempt, quarantine and duplicates. As one JSON object or as text.
// Thread-safety: pure functions.
#pragma once

#include <functional>
#include <string>

#include "gateway/journal/message_queue.h"

namespace iwmo::log {

// Applied to every free text taken from the journal (findings, summaries, trails): the caller
// hides BSNs in it (an older journal stored findings with BSNs in clear).
using TextCleaner = std::function<std::string(const std::string&)>;

// "pending", "delivered", "failed".
std::string outboxStateName(journal::OutboxState state);

std::string storyJson(const journal::MessageStory& story, const TextCleaner& clean);
std::string storyText(const journal::MessageStory& story, const TextCleaner& clean);

}  // namespace iwmo::log
