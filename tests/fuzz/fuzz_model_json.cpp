// libFuzzer target: a model file's text, as `latefuse score`, `evaluate --attach-to` and the page's
// model upload give it to the core (parseModelText -> loadModel -> canonical text). Any input must
// give a model or an InputError; a crash, a sanitizer report, a hang or any other exception is a
// finding. A model that loads must write and reload to the same canonical text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "latefuse/error.hpp"
#include "latefuse/json_fast.hpp"
#include "latefuse/model_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // The fast reader (json_fast.hpp) gives nlohmann's document or none: the same text, the same bytes.
  if (const std::optional<nlohmann::json> fast = latefuse::parseJsonFast(text)) {
    nlohmann::json reference;
    try {
      reference = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception&) {
      std::abort();
    }
    if (fast->dump() != reference.dump()) std::abort();
  }
  std::string canonical;
  try {
    const latefuse::LoadedModel lm = latefuse::loadModel(latefuse::parseModelText(text));
    canonical = latefuse::modelText(latefuse::fusionModelToJson(lm.model, lm.extras));
  } catch (const latefuse::InputError&) {
    return 0;
  }
  // Round trip: what the core writes, it reads back to the same text.
  const latefuse::LoadedModel again = latefuse::loadModel(latefuse::parseModelText(canonical));
  if (latefuse::modelText(latefuse::fusionModelToJson(again.model, again.extras)) != canonical) std::abort();
  return 0;
}
