// Conversions shared by the embind files that take survival data or return Harrell's concordance:
// {time, event, weights?, strata?} -> SurvivalData, and Concordance -> a plain JS object.
#pragma once
#include "guard.hpp"
#include "latefuse/concordance.hpp"
#include "latefuse/survival_data.hpp"

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

inline val concordanceObject(const Concordance& c) {
  val out = val::object();
  out.set("c", number(c.c));
  out.set("concordant", c.concordant);
  out.set("discordant", c.discordant);
  out.set("tiedScore", c.tiedScore);
  out.set("tiedTime", c.tiedTime);
  out.set("tiedTimeScore", c.tiedTimeScore);
  out.set("comparable", c.comparable());
  return out;
}

}  // namespace latefuse::bindings
