// GgkHandler (issue 6; DESIGN §2.3, §3): the GGk side of every message. It runs last in the
// chain, after routing (and the other handlers) decided what goes where:
//
//   outbound  every message for the peer "ggk" leaves in a StUF-GGk envelope: a heen message as
//             Di01 to the organisation in the payload header (AGB code), a retour as Du01 whose
//             crossRefnummer is the referentienummer of the Di01 its heen message arrived in and
//             whose ontvanger is that envelope's zender (the dispatcher attaches both, GgkLink):
//             the envelope, not the payload header, says where a retour goes. A heen message that
//             arrived bare gets a bare retour (there is no envelope to refer to; the trail says so).
//   answers   a message from the GGk side that failed gets the technical answer of
//             gateway/rules/technical_answer.h: Fo01 StUF055 (level 1), the retour with 0001
//             (level 2), the retour with 9056 (TR056). Validated by the emitter, sent through the
//             outbox like any message, recorded with its referentienummer (ggk_sent).
//   Fo01      a Fo01 from the chain is matched by its crossRefnummer to the document the gateway
//             sent (GgkLink.sent) and kept for operators (HandlerResult.ggk_fo01 →
//             `iwmo-gateway ggk errors`), with a report in the rejected area.
// Writing XML is the emitter's (adapters/stuf, adapters/iwmo; every document validated before it
// is returned), handed in from gateway/cli as functions so this handler stays free of I/O.
// The envelopes' time (tijdstipBericht, DagtekeningRetour) is the message's received time, so a
// replay gives the same bytes.
// Thread-safety: immutable; the emitter's functions must be callable from any worker thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gateway/base/clock.h"
#include "gateway/base/result.h"
#include "gateway/handlers/handler.h"

namespace iwmo::handlers {

// One envelope to write (Di01 or Du01).
struct GgkWrapRequest {
  bool retour = false;            // Du01
  std::string zender;             // our organisatie: the municipality the message is from
  std::string ontvanger;          // organisatie
  std::string functie;            // message type of the payload
  std::string cross_refnummer;    // Du01: the Di01 it answers
  std::string payload;
  std::uint64_t message_id = 0;   // with `index`: a replay's deterministic referentienummer
  int index = 0;
  Timestamp at;
};

// A Fo01 StUF055 answering an inbound envelope.
struct GgkFo01Request {
  proto::GgkEnvelopeInfo failed;
  std::string zender;             // our organisatie: the municipality the failed envelope was for
  std::string detail;
  std::uint64_t message_id = 0;
  int index = 0;
  Timestamp at;
};

// The technical retour of an inbound heen message (not yet in an envelope).
struct GgkRetourRequest {
  std::string heen_payload;
  std::string identificatie_retour;
  Timestamp at;                   // DagtekeningRetour: its date in the Netherlands
  std::vector<std::string> header_codes;
  bool echo_body = false;
  std::vector<std::string> class_codes;
};

struct GgkWritten {
  std::string bytes;
  std::string referentienummer;
  std::string tijdstip;           // tijdstipBericht as written (file names sort by it)
};

struct GgkEmitter {
  std::function<Result<GgkWritten>(const GgkWrapRequest&)> wrap;
  std::function<Result<GgkWritten>(const GgkFo01Request&)> fo01;
  std::function<Result<std::string>(const GgkRetourRequest&)> retour;  // validated payload XML
};

struct GgkHandlerParams {
  bool envelopes = true;  // [ggk] envelopes
};

class GgkHandler final : public Handler {
 public:
  GgkHandler(GgkHandlerParams params, GgkEmitter emitter)
      : params_(params), emitter_(std::move(emitter)) {}
  HandlerKind kind() const override { return HandlerKind::kGgk; }
  void handle(const proto::WorkItem& item, proto::HandlerResult& result) const override;

  // The GgkLink: for a retour from the back office (its heen message's envelope), or a Du01 /
  // Fo01 from the GGk (what its crossRefnummer names).
  void addNeeds(const proto::WorkItem& item, ContextNeeds& needs) const override;
  bool needsLink(const proto::WorkItem& item) const;

 private:
  void answer(const proto::WorkItem& item, proto::HandlerResult& result) const;
  void recordFo01(const proto::WorkItem& item, proto::HandlerResult& result) const;
  void wrapOutgoing(const proto::WorkItem& item, proto::HandlerResult& result) const;

  GgkHandlerParams params_;
  GgkEmitter emitter_;
};

// "GW" + the message id, 12 characters: the IdentificatieRetour of the gateway's own retours.
std::string gatewayIdentificatie(std::uint64_t message_id);

// The duplicate key ("<sender>|<type>|<Identificatie>") of the heen message a retour answers,
// from the retour's header (IV028: it repeats the heen's Afzender and Identificatie); "" when
// the summary is not a retour.
std::string heenKeyOfRetour(const proto::MessageSummary& retour, const std::string& heen_type);

}  // namespace iwmo::handlers
