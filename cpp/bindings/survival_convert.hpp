// Conversions shared by the embind files that take survival data or return Harrell's concordance:
// {time, event, weights?, strata?} -> SurvivalData, and the key listing of Concordance (convert.hpp).
#pragma once
#include "convert.hpp"
#include "guard.hpp"
#include "latefuse/concordance.hpp"
#include "latefuse/survival_data.hpp"

namespace latefuse {
template <typename F>
void fields(const Concordance& c, F&& f) {
  f("c", c.c);
  f("concordant", c.concordant);
  f("discordant", c.discordant);
  f("tied_score", c.tiedScore);
  f("tied_time", c.tiedTime);
  f("tied_time_score", c.tiedTimeScore);
  f("comparable", c.comparable());
}
}  // namespace latefuse

namespace latefuse::bindings {

// input: {time, event, weights?, strata?} (typed arrays or arrays of numbers).
inline SurvivalData survivalDataOf(const val& input) {
  if (!has(input, "time") || !has(input, "event")) throw InputError("give time and event arrays");
  SurvivalData d;
  d.time = toVector(input["time"]);
  d.event = toVector(input["event"]);
  if (has(input, "weights")) d.weight = toVector(input["weights"]);
  if (has(input, "strata")) d.strata = toIntVector(input["strata"]);
  return d;
}

}  // namespace latefuse::bindings
